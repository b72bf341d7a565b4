"""Instagram accounts: identity, settings, status, and tokens encrypted at rest.

Tokens are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key
from MARKSIX_ENCRYPTION_KEY. Several comma-separated keys may be given to
rotate: the first encrypts, any of them decrypts. In sandbox mode, when no
key is configured, one is generated once and kept in `<home>/encryption.key`
with 0600 permissions. Plain tokens leave this module only as SecretStr.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr
from sqlalchemy import Engine, Row, select, update
from sqlalchemy.exc import IntegrityError

from marksix.errors import ConfigError, NotFound, StoreError
from marksix.store.service_tables import accounts

KEY_FILE = "encryption.key"
KEY_HELP = (
    "generate one with: python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'"
)


class TokenCipher:
    """Encrypts and decrypts access tokens; the first key encrypts, any key decrypts."""

    def __init__(self, keys: str | SecretStr) -> None:
        raw = keys.get_secret_value() if isinstance(keys, SecretStr) else keys
        parts = [part.strip() for part in raw.split(",") if part.strip()]
        if not parts:
            raise ConfigError(f"MARKSIX_ENCRYPTION_KEY is empty; {KEY_HELP}")
        try:
            self._fernet = MultiFernet([Fernet(part.encode()) for part in parts])
        except ValueError:
            raise ConfigError(
                "MARKSIX_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64 bytes); " + KEY_HELP
            ) from None

    def __repr__(self) -> str:
        return "TokenCipher(***)"

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, ciphertext: str) -> SecretStr:
        try:
            return SecretStr(self._fernet.decrypt(ciphertext.encode()).decode())
        except InvalidToken:
            raise StoreError(
                "a stored access token cannot be decrypted with MARKSIX_ENCRYPTION_KEY "
                "(was the key changed? keep the old key after the new one, comma-separated)"
            ) from None


def load_cipher(home: Path, configured: SecretStr | None, *, sandbox: bool) -> TokenCipher:
    """The cipher for the configured key; in sandbox mode a key kept under `home`."""
    if configured is not None and configured.get_secret_value().strip():
        return TokenCipher(configured)
    if not sandbox:
        raise ConfigError(f"MARKSIX_ENCRYPTION_KEY is required to store Instagram tokens; {KEY_HELP}")
    path = home / KEY_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first; read theirs
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(Fernet.generate_key().decode())
    return TokenCipher(path.read_text().strip())


@dataclass(frozen=True)
class Account:
    """An Instagram account as the service sees it; never holds the plain token."""

    id: str
    username: str
    status: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    alert: str | None = None
    has_token: bool = False
    token_expires_at: datetime | None = None
    blocked_at: datetime | None = None
    paused_until: datetime | None = None
    pause_reason: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def blocked(self) -> bool:
        return self.status == "blocked"

    def paused_at(self, now: datetime) -> bool:
        return self.paused_until is not None and self.paused_until > now

    def to_json(self) -> dict[str, Any]:
        def when(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": self.id,
            "username": self.username,
            "status": self.status,
            "alert": self.alert,
            "has_token": self.has_token,
            "settings": dict(self.settings),
            "token_expires_at": when(self.token_expires_at),
            "blocked_at": when(self.blocked_at),
            "paused_until": when(self.paused_until),
            "pause_reason": self.pause_reason,
        }


def _account(row: Row[Any]) -> Account:
    return Account(
        id=row.id,
        username=row.username,
        status=row.status,
        settings=dict(row.settings or {}),
        alert=row.alert,
        has_token=row.token_ciphertext is not None,
        token_expires_at=row.token_expires_at,
        blocked_at=row.blocked_at,
        paused_until=row.paused_until,
        pause_reason=row.pause_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class AccountRepository:
    """Accounts in the database; every method is one short transaction."""

    def __init__(self, engine: Engine, cipher: TokenCipher) -> None:
        self.engine = engine
        self._cipher = cipher

    def save(
        self,
        account_id: str,
        username: str,
        *,
        now: datetime,
        token: str | SecretStr | None = None,
        settings: Mapping[str, Any] | None = None,
        token_expires_at: datetime | None = None,
    ) -> Account:
        """Create or update an account. A new token also lifts a block (see `set_token`)."""
        if not account_id.strip():
            raise ValueError("an account needs its Instagram user id")
        values: dict[str, Any] = {"username": username.lstrip("@"), "updated_at": now}
        if settings is not None:
            values["settings"] = dict(settings)
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(accounts).where(accounts.c.id == account_id).values(**values)
            ).rowcount
            if not changed:
                try:
                    with connection.begin_nested():
                        connection.execute(
                            accounts.insert().values(
                                id=account_id,
                                status="active",
                                settings=values.pop("settings", {}),
                                created_at=now,
                                **values,
                            )
                        )
                except IntegrityError:  # created concurrently: update it instead
                    connection.execute(update(accounts).where(accounts.c.id == account_id).values(**values))
        if token is not None:
            self.set_token(account_id, token, now=now, expires_at=token_expires_at)
        return self.get(account_id)

    @staticmethod
    def from_row(row: Row[Any]) -> Account:
        """The Account of a row of `accounts` read elsewhere (the worker's claim)."""
        return _account(row)

    def find(self, account_id: str) -> Account | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(accounts).where(accounts.c.id == account_id)).first()
        return _account(row) if row is not None else None

    def get(self, account_id: str) -> Account:
        account = self.find(account_id)
        if account is None:
            raise NotFound(f"no Instagram account {account_id!r} (add it with its token first)")
        return account

    def all(self) -> list[Account]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(accounts).order_by(accounts.c.username)).all()
        return [_account(row) for row in rows]

    def token(self, account_id: str) -> SecretStr | None:
        """The decrypted token, as a SecretStr so it never prints by accident."""
        with self.engine.connect() as connection:
            ciphertext = connection.execute(
                select(accounts.c.token_ciphertext).where(accounts.c.id == account_id)
            ).scalar_one_or_none()
        return self._cipher.decrypt(ciphertext) if ciphertext else None

    def set_token(
        self,
        account_id: str,
        token: str | SecretStr,
        *,
        now: datetime,
        expires_at: datetime | None = None,
    ) -> Account:
        """Store a new token and lift any block: waiting comments can go out again."""
        plain = token.get_secret_value() if isinstance(token, SecretStr) else token
        if not plain.strip():
            raise ValueError("the access token is empty")
        self._update(
            account_id,
            token_ciphertext=self._cipher.encrypt(plain.strip()),
            token_expires_at=expires_at,
            status="active",
            alert=None,
            blocked_at=None,
            updated_at=now,
        )
        return self.get(account_id)

    def set_token_expiry(self, account_id: str, expires_at: datetime | None, *, now: datetime) -> None:
        """Record when the stored token expires (as Graph said), leaving its status alone."""
        self._update(account_id, token_expires_at=expires_at, updated_at=now)

    def update_settings(self, account_id: str, changes: Mapping[str, Any], *, now: datetime) -> Account:
        """Merge `changes` into the account's settings; a None value removes a key."""
        current = dict(self.get(account_id).settings)
        for key, value in changes.items():
            if value is None:
                current.pop(key, None)
            else:
                current[key] = value
        self._update(account_id, settings=current, updated_at=now)
        return self.get(account_id)

    def block(self, account_id: str, alert: str, *, now: datetime) -> bool:
        """Stop sending for the account; True when this call blocked it (first alert)."""
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(accounts)
                .where(accounts.c.id == account_id, accounts.c.status != "blocked")
                .values(status="blocked", alert=alert, blocked_at=now, updated_at=now)
            ).rowcount
        return bool(changed)

    def unblock(self, account_id: str, *, now: datetime) -> Account:
        self._update(account_id, status="active", alert=None, blocked_at=None, updated_at=now)
        return self.get(account_id)

    def pause(self, account_id: str, until: datetime, reason: str, *, now: datetime) -> None:
        """No sends before `until`; a later pause already in place is kept."""
        with self.engine.begin() as connection:
            connection.execute(
                update(accounts)
                .where(
                    accounts.c.id == account_id,
                    (accounts.c.paused_until.is_(None)) | (accounts.c.paused_until < until),
                )
                .values(paused_until=until, pause_reason=reason, updated_at=now)
            )

    def delete(self, account_id: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(accounts.delete().where(accounts.c.id == account_id))

    def _update(self, account_id: str, **values: Any) -> None:
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(accounts).where(accounts.c.id == account_id).values(**values)
            ).rowcount
        if not changed:
            raise NotFound(f"no Instagram account {account_id!r}")
