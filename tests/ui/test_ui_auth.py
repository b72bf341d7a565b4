"""Password storage, signed sessions, CSRF comparison and the login throttle."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from marksix.errors import ConfigError, InputError
from marksix.web.auth import (
    PASSWORD_FILE,
    SECRET_FILE,
    AdminPassword,
    LoginThrottle,
    Session,
    SessionCodec,
    csrf_matches,
    session_secret,
)


def test_configured_password_verifies_and_is_never_written(tmp_path: Path) -> None:
    password = AdminPassword(tmp_path, "from the environment")
    assert password.is_set and password.from_environment
    assert password.verify("from the environment")
    assert not password.verify("from the Environment")
    assert not (tmp_path / PASSWORD_FILE).exists()


def test_first_run_password_is_stored_as_a_private_argon2_hash(tmp_path: Path) -> None:
    first = AdminPassword(tmp_path)
    assert not first.is_set
    assert not first.verify("anything at all")
    first.set_first("a long enough password")
    stored = (tmp_path / PASSWORD_FILE).read_text()
    assert stored.startswith("$argon2id$")
    assert "a long enough password" not in stored
    assert stat.S_IMODE((tmp_path / PASSWORD_FILE).stat().st_mode) == 0o600
    # A restart reads the hash back.
    again = AdminPassword(tmp_path)
    assert again.verify("a long enough password")
    with pytest.raises(InputError, match="already set"):
        again.set_first("another long password")


def test_first_run_password_must_be_long_enough(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="at least 10"):
        AdminPassword(tmp_path).set_first("short")
    assert not (tmp_path / PASSWORD_FILE).exists()


def test_a_corrupt_hash_file_refuses_every_password(tmp_path: Path) -> None:
    (tmp_path / PASSWORD_FILE).write_text("not a hash\n")
    assert not AdminPassword(tmp_path).verify("not a hash")


def test_session_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = session_secret(tmp_path, None)
    assert len(first) >= 40
    assert session_secret(tmp_path, None) == first
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600
    assert session_secret(tmp_path, "configured-secret-value") == "configured-secret-value"
    with pytest.raises(ConfigError, match="too short"):
        session_secret(tmp_path, "short")


def test_sessions_round_trip_and_reject_forgery() -> None:
    codec = SessionCodec("s" * 32)
    session = Session().logged_in()
    cookie = codec.dumps(session)
    restored = codec.loads(cookie)
    assert restored is not None
    assert restored.authenticated and restored.csrf_token == session.csrf_token
    assert codec.loads(cookie[:-2] + "xx") is None
    assert SessionCodec("t" * 32).loads(cookie) is None
    assert codec.loads("") is None and codec.loads(None) is None


def test_expired_sessions_are_refused() -> None:
    cookie = SessionCodec("s" * 32).dumps(Session(authenticated=True))
    assert SessionCodec("s" * 32, max_age=-1).loads(cookie) is None


def test_logging_in_rotates_the_csrf_token() -> None:
    anonymous = Session()
    assert anonymous.logged_in().csrf_token != anonymous.csrf_token


def test_csrf_comparison() -> None:
    session = Session()
    assert csrf_matches(session, session.csrf_token)
    assert not csrf_matches(session, session.csrf_token + "x")
    assert not csrf_matches(session, "")
    assert not csrf_matches(session, None)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_doubles_the_lockout_after_the_free_attempts() -> None:
    clock = Clock()
    throttle = LoginThrottle(free_attempts=2, base_delay=2.0, max_delay=10.0, clock=clock)
    assert throttle.failure("10.0.0.1") == 0.0
    assert throttle.failure("10.0.0.1") == 0.0
    assert throttle.retry_after("10.0.0.1") == 0.0
    assert throttle.failure("10.0.0.1") == 2.0
    assert throttle.retry_after("10.0.0.1") == 2.0
    clock.now += 1.5
    assert throttle.retry_after("10.0.0.1") == pytest.approx(0.5)
    assert throttle.failure("10.0.0.1") == 4.0
    assert throttle.failure("10.0.0.1") == 8.0
    assert throttle.failure("10.0.0.1") == 10.0  # capped
    # Other addresses are unaffected, and a success clears the record.
    assert throttle.retry_after("10.0.0.2") == 0.0
    throttle.success("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") == 0.0


def test_throttle_table_is_bounded() -> None:
    throttle = LoginThrottle(free_attempts=0, max_tracked=3, clock=Clock())
    for number in range(5):
        throttle.failure(f"10.0.0.{number}")
    assert throttle.retry_after("10.0.0.0") == 0.0  # evicted, oldest first
    assert throttle.retry_after("10.0.0.4") > 0
