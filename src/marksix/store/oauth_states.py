"""Business Login's `state`: issued per "Connect an account", bound to a session, used once.

The `state` parameter travels to Instagram and back in the redirect; the
callback accepts it only for the admin session that started the flow, only
once and only while fresh, so a link made for someone else's browser (login
CSRF) or a replayed callback connects nothing. Only a SHA-256 of each state
is stored: the table holds nothing an attacker could send back.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update

from marksix.errors import InputError
from marksix.store.service_tables import oauth_states

#: Long enough to log in to Instagram and consent; Meta's own code then lives an hour.
STATE_LIFETIME = timedelta(minutes=30)


@dataclass(frozen=True)
class IssuedState:
    """What the callback needs back: where Instagram was told to return, and what was asked."""

    redirect_uri: str
    scopes: tuple[str, ...]
    created_at: datetime


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


class OAuthStates:
    def __init__(self, engine: Engine, *, lifetime: timedelta = STATE_LIFETIME) -> None:
        self.engine = engine
        self.lifetime = lifetime

    def issue(self, session_id: str, redirect_uri: str, scopes: tuple[str, ...], *, now: datetime) -> str:
        """A new unguessable state for this session; old rows are swept on the way."""
        state = secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            connection.execute(
                delete(oauth_states).where(oauth_states.c.created_at < now - self.lifetime * 4)
            )
            connection.execute(
                oauth_states.insert().values(
                    state_hash=_hash(state),
                    session_id=_hash(session_id),
                    redirect_uri=redirect_uri,
                    scopes=list(scopes),
                    created_at=now,
                )
            )
        return state

    def consume(self, state: str, session_id: str, *, now: datetime) -> IssuedState:
        """The state's request, once; InputError says exactly why a state is refused."""
        if not state:
            raise InputError("the callback carried no state; start again from “Connect an account”")
        key = _hash(state)
        with self.engine.begin() as connection:
            row = connection.execute(select(oauth_states).where(oauth_states.c.state_hash == key)).first()
            if row is None:
                raise InputError(
                    "the state in the callback was not issued here (a forged or foreign link); "
                    "start again from “Connect an account”"
                )
            if not hmac.compare_digest(row.session_id, _hash(session_id)):
                raise InputError(
                    "the state in the callback belongs to another browser session; "
                    "start again from “Connect an account” in this browser"
                )
            if row.used_at is not None:
                raise InputError("this connect link was already used; start again from “Connect an account”")
            if row.created_at < now - self.lifetime:
                raise InputError(
                    f"the connect link is older than {int(self.lifetime.total_seconds() // 60)} minutes; "
                    "start again from “Connect an account”"
                )
            taken = connection.execute(
                update(oauth_states)
                .where(oauth_states.c.state_hash == key, oauth_states.c.used_at.is_(None))
                .values(used_at=now)
            ).rowcount
            if not taken:  # a second callback raced this one
                raise InputError("this connect link was already used; start again from “Connect an account”")
        return IssuedState(str(row.redirect_uri), tuple(str(s) for s in row.scopes or ()), row.created_at)
