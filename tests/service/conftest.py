"""Fixtures for the reply service: repositories on each backend, fakes, a service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from service_fakes import ACCOUNT_ID, ACCOUNT_NAME, Env, FakeClock, FakeGraph, fake_reply_for
from sqlalchemy import Engine

from marksix.store.accounts import AccountRepository, TokenCipher
from marksix.store.comments import CommentRepository
from marksix.worker.limits import Limits
from marksix.worker.service import ReplyService


@pytest.fixture
def cipher_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def cipher(cipher_key: str) -> TokenCipher:
    return TokenCipher(cipher_key)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def env(store_engine: Engine, cipher: TokenCipher, clock: FakeClock) -> Iterator[Env]:
    """A connected account with a token, a fake Graph API and a ReplyService on a fresh database."""
    import random

    comments = CommentRepository(store_engine)
    accounts = AccountRepository(store_engine, cipher)
    accounts.save(ACCOUNT_ID, ACCOUNT_NAME, now=clock(), token="IGAAT-secret-token")
    graph = FakeGraph()
    service = ReplyService(
        comments,
        accounts,
        graph_for=lambda account: graph,
        reply_for=fake_reply_for,
        limits=Limits(),
        clock=clock,
        rng=random.Random(7),
    )
    yield Env(store_engine, comments, accounts, graph, clock, service)
