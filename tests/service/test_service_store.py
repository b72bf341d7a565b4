"""Storage contract of the reply service, on SQLite and PostgreSQL (store_engine)."""

from __future__ import annotations

import os
import stat
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.fernet import Fernet
from pydantic import SecretStr
from service_fakes import ACCOUNT_ID, ACCOUNT_NAME, FakeClock, admission_rule, claim_record, event
from sqlalchemy import Engine, select

from marksix.errors import ConfigError, NotFound, StoreError
from marksix.store.accounts import KEY_FILE, AccountRepository, TokenCipher, load_cipher
from marksix.store.base import metadata
from marksix.store.comments import CommentKey, CommentRepository, ReplyFields
from marksix.store.engine import current_revision, upgrade
from marksix.store.service_tables import accounts as accounts_table

LEASE = timedelta(seconds=120)


@pytest.fixture
def repo(store_engine: Engine) -> CommentRepository:
    return CommentRepository(store_engine)


def _queued(repo: CommentRepository, clock: FakeClock, **kwargs: object) -> CommentKey:
    incoming = event(**kwargs)  # type: ignore[arg-type]
    assert repo.record(incoming, now=clock())
    key = CommentKey(incoming.account_id, incoming.comment_id)
    assert repo.queue(key, now=clock())
    return key


def test_migration_builds_exactly_the_declared_schema(store_engine: Engine) -> None:
    assert current_revision(store_engine) == "0002"
    with store_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_migration_downgrades_and_upgrades_again(store_engine: Engine) -> None:
    from alembic import command

    from marksix.store.engine import alembic_config

    with store_engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0001")
    assert current_revision(store_engine) == "0001"
    upgrade(store_engine)
    assert current_revision(store_engine) == "0002"


def test_record_is_idempotent_per_account_and_comment(repo: CommentRepository, clock: FakeClock) -> None:
    incoming = event(comment_id="c-1")
    assert repo.record(incoming, now=clock()) is True
    assert repo.record(incoming, now=clock()) is False
    # The same comment id under another account is another comment.
    assert repo.record(event(comment_id="c-1", account_id="other"), now=clock()) is True
    assert repo.counts_by_state() == {
        "received": 2,
        "queued": 0,
        "in_progress": 0,
        "replied": 0,
        "skipped": 0,
        "failed": 0,
    }
    stored = repo.get(CommentKey(ACCOUNT_ID, "c-1"))
    assert (stored.username, stored.text, stored.state, stored.source) == (
        "amy",
        "俾個號碼我",
        "received",
        "webhook",
    )
    assert stored.commented_at is not None and stored.received_at == clock()


def test_claim_succeeds_once(repo: CommentRepository, clock: FakeClock) -> None:
    key = _queued(repo, clock)
    claimed = claim_record(repo, key, now=clock(), lease=LEASE)
    assert claimed is not None and claimed.state == "in_progress"
    assert claimed.lease_expires_at == clock() + LEASE
    assert claim_record(repo, key, now=clock(), lease=LEASE) is None
    assert repo.queue(key, now=clock()) is False  # in progress: not re-queued


def test_claim_waits_for_not_before(repo: CommentRepository, clock: FakeClock) -> None:
    key = _queued(repo, clock)
    claimed = claim_record(repo, key, now=clock(), lease=LEASE)
    assert claimed is not None
    later = clock() + timedelta(minutes=5)
    repo.release(
        claimed,
        now=clock(),
        code="rate_limited",
        reason="x",
        not_before=later,
        count_attempt=False,
        sent_unknown=False,
    )
    assert claim_record(repo, key, now=clock(), lease=LEASE) is None
    clock.advance(300)
    assert claim_record(repo, key, now=clock(), lease=LEASE) is not None


def test_concurrent_claims_have_one_winner(store_engine: Engine, clock: FakeClock) -> None:
    repo = CommentRepository(store_engine)
    key = _queued(repo, clock)
    winners: list[object] = []
    barrier = threading.Barrier(6)

    def contend() -> None:
        barrier.wait()
        if claim_record(repo, key, now=clock(), lease=LEASE) is not None:
            winners.append(1)

    threads = [threading.Thread(target=contend) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1


def test_release_counts_attempts_and_keeps_unknown_sends(repo: CommentRepository, clock: FakeClock) -> None:
    key = _queued(repo, clock)
    claimed = claim_record(repo, key, now=clock(), lease=LEASE)
    assert claimed is not None
    fields = ReplyFields("pick", "zh-HK", "text", "template", {"tickets": [[1, 2, 3, 4, 5, 6]]})
    admission = repo.admit(
        claimed,
        fields,
        kind="public",
        now=clock(),
        lease=LEASE,
        decide=admission_rule(
            claimed, kind="public", now=clock(), cooldown=timedelta(0), post_cap=10, private_per_hour=750
        ),
    )
    assert admission.verdict == "send"
    released = repo.release(
        claimed,
        now=clock(),
        code="unknown_outcome",
        reason="timeout",
        not_before=None,
        count_attempt=True,
        sent_unknown=True,
    )
    assert (released.state, released.attempts, released.send_started_at) == ("queued", 1, clock())
    assert released.reply_details == {"tickets": [[1, 2, 3, 4, 5, 6]]}
    again = claim_record(repo, key, now=clock(), lease=LEASE)
    assert again is not None and again.send_started_at == clock()
    cleared = repo.release(
        again,
        now=clock(),
        code="rate_limited",
        reason="x",
        not_before=None,
        count_attempt=False,
        sent_unknown=False,
    )
    assert (cleared.attempts, cleared.send_started_at) == (1, None)


def test_final_states_never_move(repo: CommentRepository, clock: FakeClock) -> None:
    key = _queued(repo, clock)
    claimed = claim_record(repo, key, now=clock(), lease=LEASE)
    assert claimed is not None
    clock.advance(2.5)
    done = repo.mark_replied(claimed, reply_id="r-1", now=clock(), kind="public")
    assert (done.state, done.reply_id, done.latency_seconds) == ("replied", "r-1", 2.5)
    assert repo.mark_failed(claimed, failure_class="permanent", reason="x", now=clock()).state == "replied"
    assert repo.queue(key, now=clock()) is False
    # Our reply coming back as a comment is known as ours when it is claimed.
    assert repo.record(event(comment_id="r-1"), now=clock(), queued=True)
    again = repo.claim(CommentKey(ACCOUNT_ID, "r-1"), now=clock(), lease=LEASE)
    assert again is not None and again.is_own_reply
    other = repo.claim(_queued(repo, clock), now=clock(), lease=LEASE)
    assert other is not None and not other.is_own_reply


def test_stale_in_progress_is_reclaimed_as_an_attempt(repo: CommentRepository, clock: FakeClock) -> None:
    key = _queued(repo, clock)
    claimed = claim_record(repo, key, now=clock(), lease=LEASE)
    assert claimed is not None
    assert repo.stale_in_progress(clock()) == []
    clock.advance(121)
    stale = repo.stale_in_progress(clock())
    assert [record.comment_id for record in stale] == [key.comment_id]
    assert repo.reclaim(stale[0], now=clock(), max_attempts=3) == "queued"
    assert repo.reclaim(stale[0], now=clock(), max_attempts=3) is None  # already taken back
    record = repo.get(key)
    assert (record.state, record.attempts, record.reason_code) == ("queued", 1, "worker_lost")
    # The dead worker may still answer: its result no longer counts as the owner's.
    late = repo.release(
        claimed,
        now=clock(),
        code="retryable",
        reason="late",
        not_before=None,
        count_attempt=True,
        sent_unknown=True,
    )
    assert (late.attempts, late.reason_code) == (1, "worker_lost")


def test_due_lists_unqueued_and_forgotten_comments_but_not_blocked_accounts(
    store_engine: Engine, repo: CommentRepository, clock: FakeClock, cipher: TokenCipher
) -> None:
    accounts = AccountRepository(store_engine, cipher)
    accounts.save(ACCOUNT_ID, ACCOUNT_NAME, now=clock(), token="t")
    accounts.save("blocked-1", "other", now=clock(), token="t")
    accounts.block("blocked-1", "token expired", now=clock())
    received = event()
    repo.record(received, now=clock())
    queued = _queued(repo, clock)
    repo.record(event(account_id="blocked-1"), now=clock())
    assert repo.due(now=clock(), enqueued_before=clock() - timedelta(minutes=2)) == []
    clock.advance(180)
    due = repo.due(now=clock(), enqueued_before=clock() - timedelta(minutes=2))
    assert due == [CommentKey(ACCOUNT_ID, received.comment_id), queued]
    assert repo.waiting("blocked-1") != []


def test_search_counts_and_throughput(repo: CommentRepository, clock: FakeClock) -> None:
    keys = [_queued(repo, clock, text=f"comment {n} 100%_off", username=f"user{n}") for n in range(5)]
    for n, key in enumerate(keys[:3]):
        claimed = claim_record(repo, key, now=clock(), lease=LEASE)
        assert claimed is not None
        clock.advance(n + 1)
        repo.mark_replied(claimed, reply_id=f"r{n}", now=clock())
    claimed = claim_record(repo, keys[3], now=clock(), lease=LEASE)
    assert claimed is not None
    repo.mark_skipped(claimed, code="ignored", reason="not for the bot", now=clock())
    assert repo.counts_by_state()["replied"] == 3
    assert repo.counts_by_state(account="nobody")["replied"] == 0
    page = repo.search("USER1", per_page=10)
    assert [item.username for item in page.items] == ["user1"]
    assert repo.search("100%_", per_page=10).total == 5  # LIKE wildcards are literal
    assert repo.search("no such text").total == 0
    assert repo.search(state="skipped").items[0].reason == "not for the bot"
    paged = repo.search(per_page=2, page=3)
    assert (paged.total, paged.pages, len(paged.items)) == (5, 3, 1)
    assert paged.to_json()["items"][0]["comment_id"] == keys[0].comment_id  # newest first
    with pytest.raises(ValueError, match="unknown state"):
        repo.search(state="done")
    stats = repo.throughput(timedelta(hours=1), now=clock())
    assert (stats["received"], stats["replied"], stats["skipped"]) == (5, 3, 1)
    assert stats["latency_p50"] == 3.0


# --- accounts and tokens -------------------------------------------------------------


def test_tokens_are_encrypted_at_rest(
    store_engine: Engine, cipher: TokenCipher, cipher_key: str, clock: FakeClock
) -> None:
    accounts = AccountRepository(store_engine, cipher)
    account = accounts.save(
        ACCOUNT_ID, "@marksix_bot", now=clock(), token="IGAAT-very-secret", settings={"a": 1}
    )
    assert (account.username, account.has_token, account.status) == ("marksix_bot", True, "active")
    with store_engine.connect() as connection:
        raw = connection.execute(select(accounts_table.c.token_ciphertext)).scalar_one()
    assert "very-secret" not in raw
    token = accounts.token(ACCOUNT_ID)
    assert isinstance(token, SecretStr) and token.get_secret_value() == "IGAAT-very-secret"
    assert "very-secret" not in repr(token) and "very-secret" not in str(account.to_json())
    # A key rotated in front still reads the old token.
    rotated = AccountRepository(store_engine, TokenCipher(f"{Fernet.generate_key().decode()},{cipher_key}"))
    assert rotated.token(ACCOUNT_ID) == token
    stranger = AccountRepository(store_engine, TokenCipher(Fernet.generate_key().decode()))
    with pytest.raises(StoreError, match="cannot be decrypted"):
        stranger.token(ACCOUNT_ID)


def test_block_unblock_pause_and_settings(
    store_engine: Engine, cipher: TokenCipher, clock: FakeClock
) -> None:
    accounts = AccountRepository(store_engine, cipher)
    accounts.save(ACCOUNT_ID, ACCOUNT_NAME, now=clock(), token="t1")
    assert accounts.block(ACCOUNT_ID, "token expired", now=clock()) is True
    assert accounts.block(ACCOUNT_ID, "again", now=clock()) is False  # one alert per block
    blocked = accounts.get(ACCOUNT_ID)
    assert (blocked.status, blocked.alert) == ("blocked", "token expired")
    resumed = accounts.set_token(ACCOUNT_ID, "t2", now=clock())
    assert (resumed.status, resumed.alert) == ("active", None)
    accounts.block(ACCOUNT_ID, "policy", now=clock())
    assert accounts.unblock(ACCOUNT_ID, now=clock()).status == "active"
    later, sooner = clock() + timedelta(minutes=10), clock() + timedelta(minutes=1)
    accounts.pause(ACCOUNT_ID, later, "throttled", now=clock())
    accounts.pause(ACCOUNT_ID, sooner, "usage", now=clock())
    paused = accounts.get(ACCOUNT_ID)
    assert (paused.paused_until, paused.pause_reason) == (later, "throttled")
    assert paused.paused_at(clock()) and not paused.paused_at(later)
    updated = accounts.update_settings(ACCOUNT_ID, {"post_reply_cap": 3, "x": None}, now=clock())
    assert updated.settings == {"post_reply_cap": 3}
    assert [account.id for account in accounts.all()] == [ACCOUNT_ID]
    with pytest.raises(NotFound, match="no Instagram account"):
        accounts.get("missing")


def test_load_cipher_sandbox_key_file_is_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = load_cipher(home, None, sandbox=True)
    key_file = home / KEY_FILE
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    second = load_cipher(home, None, sandbox=True)
    assert second.decrypt(first.encrypt("abc")).get_secret_value() == "abc"
    with pytest.raises(ConfigError, match="MARKSIX_ENCRYPTION_KEY is required"):
        load_cipher(tmp_path / "real", None, sandbox=False)
    with pytest.raises(ConfigError, match="not a Fernet key"):
        TokenCipher("not-a-key")
    configured = Fernet.generate_key().decode()
    assert (
        load_cipher(tmp_path, SecretStr(configured), sandbox=False)
        .decrypt(Fernet(configured.encode()).encrypt(b"t").decode())
        .get_secret_value()
        == "t"
    )


def test_old_send_records_are_pruned(repo: CommentRepository, clock: FakeClock) -> None:
    key = _queued(repo, clock)
    claimed = claim_record(repo, key, now=clock(), lease=LEASE)
    assert claimed is not None
    fields = ReplyFields("pick", "zh-HK", "text", "template")
    repo.admit(
        claimed,
        fields,
        kind="private",
        now=clock(),
        lease=LEASE,
        decide=admission_rule(
            claimed, kind="private", now=clock(), cooldown=timedelta(0), post_cap=9, private_per_hour=9
        ),
    )
    repo.mark_replied(claimed, reply_id="m1", now=clock())
    assert repo.prune_sends(clock()) == 0
    clock.advance(25 * 3600)
    assert repo.prune_sends(clock() - timedelta(days=1)) == 1
