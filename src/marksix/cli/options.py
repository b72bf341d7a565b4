"""Click options that more than one command takes, defined once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def metrics_options(command: F) -> F:
    """`--metrics-port` and `--metrics-host`, for the processes without a web server (`worker.metrics`)."""
    command = click.option(
        "--metrics-host",
        default="127.0.0.1",
        show_default=True,
        help="Where --metrics-port listens; 0.0.0.0 inside a container.",
    )(command)
    return click.option(
        "--metrics-port",
        type=click.IntRange(0, 65535),
        default=None,
        help="Serve this process's counters at http://HOST:PORT/metrics for Prometheus (off unless given).",
    )(command)
