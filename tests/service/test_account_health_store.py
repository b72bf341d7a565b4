"""AccountHealth on SQLite and PostgreSQL: one count per pause, pause/resume/unblock, moderation log."""

from __future__ import annotations

import datetime as dt

import pytest
from service_fakes import ACCOUNT_ID, event
from sqlalchemy import Engine

from marksix.errors import InputError, NotFound
from marksix.store.account_health import PAUSED_BY_PERSON, AccountHealth
from marksix.store.accounts import AccountRepository, TokenCipher
from marksix.store.comments import CommentKey, CommentRepository

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def stores(
    store_engine: Engine, cipher: TokenCipher
) -> tuple[AccountHealth, AccountRepository, CommentRepository]:
    accounts = AccountRepository(store_engine, cipher)
    accounts.save(ACCOUNT_ID, "shop", now=NOW, token="IGAA-token")
    return AccountHealth(store_engine), accounts, CommentRepository(store_engine)


def test_a_block_is_counted_once_per_pause(
    stores: tuple[AccountHealth, AccountRepository, CommentRepository],
) -> None:
    health, accounts, _ = stores
    waits = {1: dt.timedelta(minutes=15), 2: dt.timedelta(minutes=30)}

    def block(at: dt.datetime) -> int:
        return health.policy_block(
            ACCOUNT_ID, now=at, wait_for=lambda n: at + waits[n], alert=lambda n, until: f"block {n}"
        ).strikes

    assert block(NOW) == 1
    assert block(NOW + dt.timedelta(seconds=1)) == 1  # another worker, same pause
    account = accounts.get(ACCOUNT_ID)
    assert (account.alert, account.paused_until) == ("block 1", NOW + waits[1])
    later = NOW + dt.timedelta(minutes=16)
    assert block(later) == 2 and health.policy(ACCOUNT_ID).blocked_at == NOW
    assert health.policy_lifted(ACCOUNT_ID, now=later) is True
    assert accounts.get(ACCOUNT_ID).alert is None and health.policy(ACCOUNT_ID).strikes == 0
    assert health.policy_lifted(ACCOUNT_ID, now=later) is False


def test_pause_resume_unblock_and_deferred_comments_become_due(
    stores: tuple[AccountHealth, AccountRepository, CommentRepository],
) -> None:
    health, accounts, comments = stores
    incoming = event()
    comments.record(incoming, now=NOW, queued=True)
    key = CommentKey(incoming.account_id, incoming.comment_id)
    record = comments.get(key)
    comments.release(
        record,
        now=NOW,
        code="policy_blocked",
        reason="waiting",
        not_before=NOW + dt.timedelta(hours=2),
        count_attempt=False,
        sent_unknown=False,
    )
    health.pause(ACCOUNT_ID, now=NOW)
    assert accounts.get(ACCOUNT_ID).alert == PAUSED_BY_PERSON
    assert comments.due(now=NOW, enqueued_before=NOW) == []
    assert health.resume(ACCOUNT_ID, now=NOW) == 1
    assert comments.due(now=NOW, enqueued_before=NOW) == [key]  # not two hours later
    accounts.block(ACCOUNT_ID, "restricted (code 25)", now=NOW)
    with pytest.raises(InputError, match="unblock"):
        health.resume(ACCOUNT_ID, now=NOW)
    assert health.unblock(ACCOUNT_ID, now=NOW) == 1 and accounts.get(ACCOUNT_ID).status == "active"
    with pytest.raises(NotFound):
        health.pause("404", now=NOW)


def test_moderation_setting_and_log(
    stores: tuple[AccountHealth, AccountRepository, CommentRepository],
) -> None:
    health, _, _ = stores
    assert health.hides_spam(ACCOUNT_ID) is False
    health.set_hide_spam(ACCOUNT_ID, True, now=NOW)
    assert health.hides_spam(ACCOUNT_ID) is True
    health.log_moderation(ACCOUNT_ID, "c1", "hidden", "looks like spam or an advert", now=NOW)
    health.log_moderation(ACCOUNT_ID, "c1", "unhidden", "by a person", now=NOW)
    health.log_moderation(ACCOUNT_ID, "c2", "hidden", "looks like spam or an advert", now=NOW)
    latest = health.moderation(ACCOUNT_ID)
    assert {key: entry.action for key, entry in latest.items()} == {"c1": "unhidden", "c2": "hidden"}
    assert list(health.moderation(ACCOUNT_ID, ["c2"])) == ["c2"] and health.moderation(ACCOUNT_ID, []) == {}
