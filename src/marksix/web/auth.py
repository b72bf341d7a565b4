"""Dashboard login: the admin password, signed session cookies, CSRF, throttling.

- The password is MARKSIX_ADMIN_PASSWORD, or one chosen on the first visit and
  kept as an argon2 hash in the data folder (`admin_password.argon2`).
- The session is a cookie signed with itsdangerous (HttpOnly, SameSite=Lax,
  Secure over https). Its secret is MARKSIX_SESSION_SECRET or one generated
  once into the data folder, so sessions survive a restart.
- Every session carries a CSRF token; forms send it as a hidden field and
  scripts as the X-CSRF-Token header, compared in constant time.
- Every login gets its own session id; logout puts it on a revocation list in
  the data folder, so a saved cookie stops working at once, in every process
  that shares the folder.
- Wrong passwords lock the address out for a window that doubles each time.
  An attempt is counted before its password is checked, so parallel guesses
  cannot slip past the throttle, and at most one argon2 check runs at a time
  (each takes 64 MiB and a core).
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from marksix.errors import ConfigError, InputError

SESSION_COOKIE = "marksix_session"
SESSION_MAX_AGE = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
PASSWORD_FILE = "admin_password.argon2"  # noqa: S105 - a file name
SECRET_FILE = "session_secret"  # noqa: S105 - a file name
REVOKED_FILE = "revoked_sessions.json"
MIN_PASSWORD_LENGTH = 10
VERIFY_WAIT_SECONDS = 10.0


class LoginBusy(InputError):
    """Password checks are all taken; the caller answers 503 with Retry-After."""


def _write_private(path: Path, text: str) -> None:
    """Write a secret file readable only by its owner, whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    partial.replace(path)


class AdminPassword:
    """The one admin password, as an argon2 hash (never the password itself)."""

    def __init__(
        self, home: Path, configured: str | None = None, hasher: PasswordHasher | None = None
    ) -> None:
        self._hasher = hasher or PasswordHasher()
        self._file = home / PASSWORD_FILE
        self._lock = threading.Lock()
        self._checks = threading.BoundedSemaphore(1)
        self._hash: str | None = None
        if configured:
            self._hash = self._hasher.hash(configured)
            self.from_environment = True
        else:
            self.from_environment = False
            if self._file.is_file():
                self._hash = self._file.read_text(encoding="utf-8").strip() or None

    @property
    def is_set(self) -> bool:
        return self._hash is not None

    def verify(self, password: str) -> bool:
        stored = self._hash
        if stored is None:
            return False
        # One check at a time: sixty parallel argon2 checks took 2 GB and starved the webhook.
        if not self._checks.acquire(timeout=VERIFY_WAIT_SECONDS):
            raise LoginBusy("too many logins at once; try again in a moment")
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
        finally:
            self._checks.release()

    def set_first(self, password: str) -> None:
        """Choose the password on the first run; refused once one exists."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InputError(f"the admin password needs at least {MIN_PASSWORD_LENGTH} characters")
        with self._lock:
            if self._hash is not None:
                raise InputError("the admin password is already set")
            hashed = self._hasher.hash(password)
            _write_private(self._file, hashed + "\n")
            self._hash = hashed


def session_secret(home: Path, configured: str | None) -> str:
    """MARKSIX_SESSION_SECRET, or one generated once and kept in the data folder."""
    if configured:
        if len(configured) < 16:
            raise ConfigError("MARKSIX_SESSION_SECRET is too short; use at least 16 random characters")
        return configured
    path = home / SECRET_FILE
    if path.is_file():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored
    generated = secrets.token_urlsafe(48)
    _write_private(path, generated + "\n")
    return generated


@dataclass(frozen=True, slots=True)
class Session:
    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    authenticated: bool = False
    issued_at: float = field(default_factory=time.time)
    session_id: str = field(default_factory=lambda: secrets.token_urlsafe(18))

    def logged_in(self) -> Session:
        # A fresh CSRF token and id on login, so nothing seen before login is of use after it.
        return Session(authenticated=True)

    def to_json(self) -> dict[str, Any]:
        return {
            "csrf": self.csrf_token,
            "auth": self.authenticated,
            "iat": self.issued_at,
            "sid": self.session_id,
        }


class SessionRevocations:
    """Session ids ended by logout, kept in the data folder until their cookies expire."""

    def __init__(
        self, home: Path, max_age: int = SESSION_MAX_AGE, clock: Callable[[], float] = time.time
    ) -> None:
        self._file = home / REVOKED_FILE
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._revoked: dict[str, float] = {}
        self._seen: tuple[int, int] | None = None

    def revoke(self, session: Session) -> None:
        with self._lock:
            self._reload()
            now = self._clock()
            self._revoked = {sid: until for sid, until in self._revoked.items() if until > now}
            self._revoked[session.session_id] = session.issued_at + self._max_age
            _write_private(self._file, json.dumps(self._revoked))
            self._seen = self._stamp()

    def is_revoked(self, session_id: str) -> bool:
        with self._lock:
            self._reload()
            return session_id in self._revoked

    def _stamp(self) -> tuple[int, int] | None:
        try:
            status = self._file.stat()
        except OSError:
            return None
        return (status.st_mtime_ns, status.st_size)

    def _reload(self) -> None:
        # Another process may have revoked one: read again when the file changed.
        stamp = self._stamp()
        if stamp == self._seen:
            return
        self._seen = stamp
        try:
            loaded = json.loads(self._file.read_text(encoding="utf-8")) if stamp else {}
        except (OSError, ValueError):
            loaded = {}
        self._revoked = (
            {str(sid): float(until) for sid, until in loaded.items() if isinstance(until, int | float)}
            if isinstance(loaded, dict)
            else {}
        )


class SessionCodec:
    """Signs sessions into cookie values and reads them back (None if forged or old)."""

    def __init__(
        self, secret: str, max_age: int = SESSION_MAX_AGE, revocations: SessionRevocations | None = None
    ) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="marksix.dashboard.session")
        self.max_age = max_age
        self.revocations = revocations

    def dumps(self, session: Session) -> str:
        return self._serializer.dumps(session.to_json())

    def loads(self, value: str | None) -> Session | None:
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=self.max_age)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return None
        session_id, issued_at = data.get("sid"), data.get("iat")
        if not isinstance(session_id, str) or not isinstance(issued_at, int | float):
            return None  # a cookie from before sessions had ids: start afresh
        if self.revocations is not None and self.revocations.is_revoked(session_id):
            return None
        return Session(
            csrf_token=data["csrf"],
            authenticated=data.get("auth") is True,
            issued_at=float(issued_at),
            session_id=session_id,
        )

    def revoke(self, session: Session) -> None:
        """End this session on the server: its cookie is refused from now on."""
        if self.revocations is not None:
            self.revocations.revoke(session)

    def read(self, request: Request) -> tuple[Session, bool]:
        """The request's session, and whether it is new (and so needs a cookie)."""
        existing = self.loads(request.cookies.get(SESSION_COOKIE))
        return (existing, False) if existing else (Session(), True)

    def write(self, response: Response, session: Session, request: Request) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            self.dumps(session),
            max_age=self.max_age,
            httponly=True,
            samesite="lax",
            secure=is_https(request),
            path="/",
        )

    @staticmethod
    def clear(response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/")


def is_https(request: Request) -> bool:
    # Behind a TLS proxy uvicorn's --proxy-headers turns X-Forwarded-Proto into the scheme.
    return request.url.scheme == "https"


def csrf_matches(session: Session, submitted: str | None) -> bool:
    if not submitted:
        return False
    return hmac.compare_digest(session.csrf_token.encode(), submitted.encode())


@dataclass(frozen=True, slots=True)
class _Failures:
    count: int
    locked_until: float


class LoginThrottle:
    """Per-address lockout after wrong passwords, doubling with each further miss.

    The first `free_attempts` misses cost nothing; after that the address
    waits base_delay, 2×, 4×, … up to max_delay before it may try again.
    The table is bounded so a flood of addresses cannot grow it forever.
    """

    def __init__(
        self,
        *,
        free_attempts: int = 3,
        base_delay: float = 2.0,
        max_delay: float = 900.0,
        max_tracked: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_attempts = free_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._max_tracked = max_tracked
        self._clock = clock
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> float:
        """Seconds this address must still wait; 0 when it may try now."""
        with self._lock:
            entry = self._failures.get(address)
            if entry is None:
                return 0.0
            return max(0.0, entry.locked_until - self._clock())

    def attempt(self, address: str) -> float:
        """Count an attempt before its password is checked; the wait, or 0 to go ahead.

        Check and count happen under one lock, so parallel guesses from one
        address cannot all pass the check before any of them is counted.
        A right password then calls `success`, which forgets the count.
        """
        with self._lock:
            entry = self._failures.get(address)
            if entry is not None:
                wait = entry.locked_until - self._clock()
                if wait > 0:
                    return wait
            self._count_failure(address)
            return 0.0

    def failure(self, address: str) -> float:
        """Record a wrong password; returns the wait now imposed (0 for a free miss)."""
        with self._lock:
            return self._count_failure(address)

    def _count_failure(self, address: str) -> float:
        entry = self._failures.pop(address, _Failures(0, 0.0))
        count = entry.count + 1
        over = count - self.free_attempts
        delay = 0.0 if over <= 0 else min(self.max_delay, self.base_delay * 2 ** (over - 1))
        self._failures[address] = replace(entry, count=count, locked_until=self._clock() + delay)
        while len(self._failures) > self._max_tracked:
            self._failures.popitem(last=False)
        return delay

    def success(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
