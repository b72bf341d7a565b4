"""Keeping an account working, end to end against the strict simulator, on a fake clock.

Comments go in through the simulator (its webhooks, parsed as the route
parses them), the real ReplyService answers through GraphClient over
loopback, and the clock only moves when the test says so.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from marksix.config import load_settings
from marksix.sandbox import DEFAULT_TOKEN, SimulatorState
from marksix.sandbox.conformance import COMMENTS
from marksix.store.account_health import AccountHealth
from marksix.store.accounts import AccountRepository
from marksix.store.comments import CommentKey, CommentRepository
from marksix.worker.limits import Limits
from marksix.worker.runtime import GraphClients, LanguageReplies, open_store
from marksix.worker.service import ReplyService

from .conftest import FakeClock, Receiver, Sandbox, SandboxFactory

TEXTS = ("俾組號碼我", "give me numbers for the next draw", "下期買咩好", "lucky numbers please", "求一組")


@dataclass
class World:
    sandbox: Sandbox
    receiver: Receiver
    clock: FakeClock
    comments: CommentRepository
    accounts: AccountRepository
    health: AccountHealth
    service: ReplyService
    account_id: str

    def utc(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def post(self, count: int, prefix: str) -> list[str]:
        return [self.sandbox.comment(TEXTS[n % len(TEXTS)], f"{prefix}{n}") for n in range(count)]

    def post_texts(self, comments: list[tuple[str, str]]) -> list[str]:
        return [self.sandbox.comment(text, username) for username, text in comments]

    def intake(self) -> None:
        """What the webhook route does with each delivered comment: store it, queued."""
        assert self.sandbox.simulator.sender.wait_idle(10)
        for event in self.receiver.events():
            self.comments.record(event, now=self.utc(), queued=True)

    def drain(self) -> list[str]:
        """Handle every comment that is due now, as the queue would; the outcomes' states."""
        states = []
        for key in self.comments.due(now=self.utc(), enqueued_before=self.utc() + dt.timedelta(days=400)):
            states.append(str(self.service.handle(key).state))
        return states

    def advance_past_pause(self) -> None:
        until = self.accounts.get(self.account_id).paused_until
        assert until is not None
        self.clock.now = until.timestamp() + 1

    def state_of(self, comment_id: str) -> str:
        return self.comments.get(CommentKey(self.account_id, comment_id)).state


@pytest.fixture
def world(sandbox_factory: SandboxFactory, receiver: Receiver, tmp_path: Path) -> Iterator[World]:
    clock = FakeClock()
    state = SimulatorState(clock=clock)
    sandbox = sandbox_factory(state=state)
    settings = load_settings(home=tmp_path, redis_url=None, llm_base_url=None, _env_file=None)
    engine, comments, accounts = open_store(settings, sandbox=True)
    account = state.account
    graph_url = sandbox.graph_url
    accounts.save(
        account.id,
        account.username,
        now=dt.datetime.fromtimestamp(clock(), dt.UTC),
        token=DEFAULT_TOKEN,
        settings={"graph_base_url": graph_url},
    )
    clients = GraphClients(settings, accounts)
    health = AccountHealth(engine)

    def utc() -> dt.datetime:
        return dt.datetime.fromtimestamp(clock(), dt.UTC)

    service = ReplyService(
        comments,
        accounts,
        graph_for=clients,
        reply_for=LanguageReplies(settings, clock=utc),
        limits=Limits(commenter_cooldown=dt.timedelta(0)),
        clock=utc,
        rng=random.Random(7),
        health=health,
    )
    yield World(sandbox, receiver, clock, comments, accounts, health, service, account.id)
    clients.close()
    engine.dispose()


def fault(sandbox: Sandbox, method: str, **body: object) -> None:
    with httpx.Client(base_url=sandbox.url) as http:
        response = http.request(method, "/sandbox/api/faults", json=body or None)
    assert response.status_code in (200, 201, 204), response.text


def test_a_policy_block_waits_backs_off_and_resumes_by_itself(world: World) -> None:
    # Instagram blocks the account's replies (code 368) until further notice.
    fault(world.sandbox, "POST", kind="policy_block", count=None, path="replies")
    first = world.post(3, "early")
    world.intake()
    assert set(world.drain()) == {"queued"}  # nothing failed, nothing skipped

    account = world.accounts.get(world.account_id)
    assert account.status == "active" and account.paused_until is not None
    assert "368" in (account.alert or "") and "automatically" in (account.alert or "")
    wait = account.paused_until - world.utc()
    assert dt.timedelta(minutes=7, seconds=30) <= wait <= dt.timedelta(minutes=15)  # 15 min, jittered
    assert world.health.policy(world.account_id).strikes == 1

    # Comments keep arriving while it waits; they wait too, without a call to Graph.
    second = world.post(2, "late")
    world.intake()
    assert set(world.drain()) == {"queued"}
    assert world.health.policy(world.account_id).strikes == 1

    # Still blocked at the next try: the wait doubles.
    world.advance_past_pause()
    world.drain()
    assert world.health.policy(world.account_id).strikes == 2
    longer = world.accounts.get(world.account_id).paused_until
    assert longer is not None and dt.timedelta(minutes=15) <= longer - world.utc() <= dt.timedelta(minutes=30)
    assert all(world.state_of(comment_id) == "queued" for comment_id in first + second)

    # The block lifts on Instagram's side; at the next try everything goes out, once each.
    fault(world.sandbox, "DELETE")
    world.advance_past_pause()
    while world.drain():
        pass
    assert all(world.state_of(comment_id) == "replied" for comment_id in first + second)
    replied = [record["comment_id"] for record in world.sandbox.simulator.state.reply_records()]
    assert sorted(replied) == sorted(first + second)
    account = world.accounts.get(world.account_id)
    assert account.alert is None and account.status == "active"
    assert world.health.policy(world.account_id).strikes == 0


def test_a_removed_permission_pauses_the_account_with_an_alert_naming_it(world: World) -> None:
    # The person removes the comments permission from the app in Instagram's settings.
    tokens = world.sandbox.simulator.state.tokens
    for token in tokens.values():
        token.scopes = token.scopes - {COMMENTS}
    ids = world.post(2, "fan")
    world.intake()
    assert set(world.drain()) == {"waiting"}
    account = world.accounts.get(world.account_id)
    assert account.status == "blocked"
    assert COMMENTS in (account.alert or "") and "code 200" in (account.alert or "")
    assert world.drain() == []  # held, not retried and not failed
    assert world.sandbox.simulator.state.reply_records() == []

    # Granted again, then unblocked by a person: both comments get their one reply.
    for token in tokens.values():
        token.scopes = token.scopes | {COMMENTS}
    assert world.health.unblock(world.account_id, now=world.utc()) == 2
    world.drain()
    assert [world.state_of(comment_id) for comment_id in ids] == ["replied", "replied"]
    assert len(world.sandbox.simulator.state.reply_records()) == 2


SPAM = "低息快批，借錢俾你，apply now"


def test_moderation_hides_spam_only_when_the_account_asks_and_a_person_can_unhide_it(world: World) -> None:
    state = world.sandbox.simulator.state
    # Off by default: spam is skipped, not hidden.
    [left] = world.post_texts([("spammer0", SPAM)])
    world.intake()
    world.drain()
    assert world.state_of(left) == "skipped" and state.comments[left].hidden is False
    assert world.health.moderation(world.account_id) == {}

    world.health.set_hide_spam(world.account_id, True, now=world.utc())
    spam, fan = world.post_texts([("spammer1", SPAM), ("fan", "俾組號碼我")])
    world.intake()
    world.drain()
    assert state.comments[spam].hidden is True and state.comments[fan].hidden is False
    assert world.state_of(fan) == "replied"
    record = world.comments.get(CommentKey(world.account_id, spam))
    assert record.state == "skipped" and "hidden" in (record.reason or "")
    entry = world.health.moderation(world.account_id)[spam]
    assert (entry.action, entry.reason) == ("hidden", "looks like spam or an advert")

    # Undo from the reply log: visible again on Instagram, and logged.
    from marksix.worker.moderation import unhide

    with world.sandbox.client() as client:
        unhide(world.health, client, world.account_id, spam, now=world.utc())
    assert state.comments[spam].hidden is False
    assert world.health.moderation(world.account_id)[spam].action == "unhidden"


def test_a_hide_without_the_comments_permission_is_logged_as_failed(world: World) -> None:
    world.health.set_hide_spam(world.account_id, True, now=world.utc())
    for token in world.sandbox.simulator.state.tokens.values():
        token.scopes = token.scopes - {COMMENTS}
    [spam] = world.post_texts([("spammer", SPAM)])
    world.intake()
    world.drain()
    assert world.sandbox.simulator.state.comments[spam].hidden is False
    entry = world.health.moderation(world.account_id)[spam]
    assert entry.action == "failed" and COMMENTS in entry.reason
    assert world.state_of(spam) == "skipped"  # the pipeline went on


def test_a_restricted_account_is_blocked_with_an_alert_naming_the_restriction(world: World) -> None:
    fault(world.sandbox, "POST", kind="account_restricted", count=None, path="replies")
    ids = world.post(2, "fan")
    world.intake()
    assert set(world.drain()) == {"waiting"}
    account = world.accounts.get(world.account_id)
    assert account.status == "blocked" and "restricted" in (account.alert or "")
    assert "25/2207050" in (account.alert or "") and "unblock" in (account.alert or "")
    # Cleared in the Instagram app, then unblocked by a person: one reply each.
    fault(world.sandbox, "DELETE")
    world.health.unblock(world.account_id, now=world.utc())
    world.drain()
    assert [world.state_of(comment_id) for comment_id in ids] == ["replied", "replied"]
    assert len(world.sandbox.simulator.state.reply_records()) == 2
