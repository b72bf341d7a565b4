"""The deployment files: docker-compose.yml, Dockerfile and Procfile say what the CLI and Settings know.

No docker engine runs here, so the compose file is read with PyYAML and
checked by hand; where a docker client with the compose plugin is
installed, `docker compose config` must accept it too.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from marksix.cli import cli
from marksix.config import Settings

ROOT = Path(__file__).resolve().parent.parent
SERVICES = {"web", "worker", "scheduler", "postgres", "redis"}
PINNED = re.compile(r"^[a-z0-9./-]+:\d+(\.\d+)+(-[a-z0-9.]+)?$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return loaded


def _marksix_command(argv: list[str]) -> None:
    """The command exists and takes these options: `--help` after them must succeed."""
    assert argv[0] == "marksix", argv
    result = CliRunner().invoke(cli, [*argv[1:], "--help"])
    assert result.exit_code == 0, (argv, result.output)


def test_compose_has_every_service_with_a_health_check(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == SERVICES
    for name, service in services.items():
        check = service.get("healthcheck")
        assert check and check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert {"interval", "timeout", "retries"} <= set(check), name


def test_compose_pins_every_image(compose: dict[str, Any]) -> None:
    for name in ("postgres", "redis"):
        image = compose["services"][name]["image"]
        assert PINNED.match(image), image
    assert compose["services"]["postgres"]["image"].startswith("postgres:15")
    assert compose["services"]["redis"]["image"].startswith("redis:7")
    base = re.search(r"^FROM (\S+)", (ROOT / "Dockerfile").read_text(encoding="utf-8"), re.M)
    assert base is not None and base.group(1) == "python:3.11-slim-bookworm"
    header = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for name in ("postgres", "redis"):  # the comment that names the versions is kept in step
        assert compose["services"][name]["image"] in header.split("services:")[0]


def test_compose_commands_exist_in_the_cli(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("web", "worker", "scheduler"):
        _marksix_command(services[name]["command"])
    assert "--web-only" in services["web"]["command"]
    assert "--no-periodic" in services["worker"]["command"]  # the scheduler runs the periodic jobs
    for name in ("web", "worker", "scheduler"):
        depends = services[name]["depends_on"]
        assert {key: value["condition"] for key, value in depends.items()} == {
            "postgres": "service_healthy",
            "redis": "service_healthy",
        }


def test_compose_sets_only_variables_that_settings_knows(compose: dict[str, Any]) -> None:
    known = {f"MARKSIX_{field.upper()}" for field in Settings.model_fields}
    for name in ("web", "worker", "scheduler"):
        environment = compose["services"][name]["environment"]
        unknown = {key for key in environment if key.startswith("MARKSIX_")} - known
        assert not unknown, (name, unknown)
        assert environment["MARKSIX_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert environment["MARKSIX_REDIS_URL"].startswith("redis://")
    # Secrets come from the environment, never written into the file.
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for secret in ("APP_SECRET", "ENCRYPTION_KEY", "ADMIN_PASSWORD", "SESSION_SECRET", "POSTGRES_PASSWORD"):
        assert re.search(
            rf"{secret}: \$\{{{'MARKSIX_' if secret != 'POSTGRES_PASSWORD' else ''}{secret}:\?", text
        )


def test_procfile_runs_web_worker_and_one_scheduler() -> None:
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    processes = dict(line.split(": ", 1) for line in lines if line.strip())
    assert set(processes) == {"web", "worker", "scheduler"}
    for command in processes.values():
        argv = shlex.split(command.replace("${PORT:-8000}", "8000"))
        _marksix_command(argv)


def test_docker_compose_config_accepts_the_file_where_it_is_installed(tmp_path: Path) -> None:
    docker = shutil.which("docker")
    if docker is None:
        return  # the YAML checks above are what this machine allows
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False, timeout=30)
    if probe.returncode != 0:
        return  # a docker client without the compose plugin
    env = {
        "PATH": "/usr/bin:/bin",
        "POSTGRES_PASSWORD": "x",
        "MARKSIX_APP_SECRET": "x",
        "MARKSIX_VERIFY_TOKEN": "x",
        "MARKSIX_REPLY_SECRET": "x",
        "MARKSIX_ENCRYPTION_KEY": "x",
        "MARKSIX_SESSION_SECRET": "x",
        "MARKSIX_ADMIN_PASSWORD": "x",
    }
    result = subprocess.run(
        [docker, "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
