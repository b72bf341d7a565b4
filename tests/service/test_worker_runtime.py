"""The real pieces wired by worker.runtime: GraphClient (over httpx.MockTransport),
the language layer, the configured account, metrics and log redaction."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from service_fakes import ACCOUNT_ID, ACCOUNT_NAME, FakeClock, event
from sqlalchemy import Engine

from marksix.config import load_settings
from marksix.logging_setup import configure_logging, redact_secrets
from marksix.store.accounts import AccountRepository, TokenCipher
from marksix.store.comments import CommentKey, CommentRepository
from marksix.store.engine import make_engine, upgrade
from marksix.worker.limits import Limits
from marksix.worker.metrics import register_queue_depth
from marksix.worker.runtime import GraphClients, LanguageReplies, build_services, ensure_configured_account
from marksix.worker.service import ReplyService

TOKEN = "IGAAT-runtime-secret"


class GraphServer:
    """A tiny scripted Graph API behind httpx.MockTransport."""

    def __init__(self) -> None:
        self.replies: dict[str, list[dict[str, Any]]] = {}
        self.script: list[httpx.Response | str] = []  # next answers to POST .../replies
        self.posts = 0
        self.headers: dict[str, str] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        parts = request.url.path.strip("/").split("/")  # v23.0, comment_id, replies
        if parts[-1] == "replies" and request.method == "POST":
            self.posts += 1
            step = self.script.pop(0) if self.script else "ok"
            if isinstance(step, httpx.Response) and step.status_code < 500:
                return step
            reply_id = f"r{self.posts}"
            self.replies.setdefault(parts[-2], []).append(
                {"id": reply_id, "text": "...", "username": ACCOUNT_NAME, "from": {"id": ACCOUNT_ID}}
            )
            if isinstance(step, httpx.Response):
                return step  # a 5xx after the reply was stored: outcome unknown
            return httpx.Response(200, json={"id": reply_id}, headers=self.headers)
        if parts[-1] == "replies":
            return httpx.Response(200, json={"data": self.replies.get(parts[-2], [])})
        return httpx.Response(404, json={"error": {"message": "unknown path", "code": 100}})


def graph_error(status: int, code: int, subcode: int | None = None, **headers: str) -> httpx.Response:
    body = {"error": {"message": f"error {code}", "type": "OAuthException", "code": code}}
    if subcode is not None:
        body["error"]["error_subcode"] = subcode
    return httpx.Response(status, json=body, headers=headers)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'runtime.sqlite3'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def wired(engine: Engine, cipher: TokenCipher, clock: FakeClock, tmp_path: Path) -> Iterator[tuple[Any, ...]]:
    settings = load_settings(home=tmp_path, redis_url=None, llm_base_url=None)
    comments, accounts = CommentRepository(engine), AccountRepository(engine, cipher)
    accounts.save(
        ACCOUNT_ID, ACCOUNT_NAME, now=clock(), token=TOKEN, settings={"graph_base_url": "http://graph.test"}
    )
    server = GraphServer()
    clients = GraphClients(settings, accounts, transport=httpx.MockTransport(server))
    service = ReplyService(
        comments,
        accounts,
        graph_for=clients,
        reply_for=LanguageReplies(settings, clock=clock),
        limits=Limits(),
        clock=clock,
        rng=random.Random(1),
    )
    yield service, server, comments, accounts, clock
    clients.close()


def _submit(comments: CommentRepository, clock: FakeClock, **kwargs: Any) -> CommentKey:
    incoming = event(**kwargs)
    comments.record(incoming, now=clock())
    key = CommentKey(incoming.account_id, incoming.comment_id)
    comments.queue(key, now=clock())
    return key


def test_real_client_and_language_layer_reply_once_after_an_unknown_outcome(wired: tuple[Any, ...]) -> None:
    service, server, comments, _accounts, clock = wired
    server.script = [graph_error(500, 2)]  # Graph stored the reply, then answered 500
    key = _submit(comments, clock, text="俾個號碼我")
    first = service.handle(key)
    assert (first.state, first.code) == ("queued", "unknown_outcome")
    clock.now = first.retry_at
    assert service.handle(key).state == "replied"
    assert server.posts == 1
    record = comments.get(key)
    assert record.reply_id == "r1" and record.intent == "pick"
    assert "1834 633" in (record.reply_text or "") and "18+" in (record.reply_text or "")


def test_real_client_throttling_and_usage_headers(wired: tuple[Any, ...]) -> None:
    service, server, comments, accounts, clock = wired
    usage = json.dumps(
        {ACCOUNT_ID: [{"type": "instagram", "call_count": 100, "estimated_time_to_regain_access": 5}]}
    )
    server.script = [graph_error(400, 80002, **{"X-Business-Use-Case-Usage": usage})]
    key = _submit(comments, clock)
    outcome = service.handle(key)
    assert outcome.code == "rate_limited"
    assert (outcome.retry_at - clock()).total_seconds() == 300  # Meta's 5 minutes
    clock.advance(300)
    server.headers = {"X-App-Usage": json.dumps({"call_count": 93, "total_time": 10, "total_cputime": 5})}
    assert service.handle(key).state == "replied"
    paused = accounts.get(ACCOUNT_ID)
    assert paused.paused_at(clock()) and "93%" in (paused.pause_reason or "")


@pytest.mark.parametrize(("code", "subcode"), [(190, 463), (25, 2207050)])
def test_real_client_blocks(wired: tuple[Any, ...], code: int, subcode: int | None) -> None:
    service, server, comments, accounts, clock = wired
    server.script = [graph_error(400, code, subcode)]
    key = _submit(comments, clock)
    assert service.handle(key).state == "waiting"
    account = accounts.get(ACCOUNT_ID)
    assert account.status == "blocked" and TOKEN not in (account.alert or "")
    accounts.set_token(ACCOUNT_ID, TOKEN, now=clock())
    assert service.handle(key).state == "replied"


@pytest.mark.parametrize(("code", "subcode"), [(368, None), (4, 2207051)])
def test_real_client_policy_block_backs_off_then_resumes(
    wired: tuple[Any, ...], code: int, subcode: int | None
) -> None:
    service, server, comments, accounts, clock = wired
    server.script = [graph_error(400, code, subcode)]
    key = _submit(comments, clock)
    outcome = service.handle(key)
    assert outcome.code == "policy_blocked" and outcome.retry_at is not None
    assert f"code {code}" in (accounts.get(ACCOUNT_ID).alert or "")
    clock.now = outcome.retry_at
    assert service.handle(key).state == "replied"
    assert accounts.get(ACCOUNT_ID).alert is None


def test_a_removed_permission_pauses_the_account_with_an_alert_naming_it(wired: tuple[Any, ...]) -> None:
    """Code 200 (permission removed) holds every comment instead of failing them one by one."""
    service, server, comments, accounts, clock = wired
    refused = {"message": "(#200) Requires instagram_business_manage_comments permission", "code": 200}
    server.script = [httpx.Response(403, json={"error": {**refused, "type": "OAuthException"}})]
    first, second = (
        _submit(comments, clock),
        _submit(comments, clock, comment_id="17900000000000002", username="bo"),
    )
    assert service.handle(first).state == "waiting"
    account = accounts.get(ACCOUNT_ID)
    assert account.status == "blocked" and "instagram_business_manage_comments" in (account.alert or "")
    assert service.handle(second).state == "waiting"  # not tried, not failed
    assert server.posts == 1
    accounts.unblock(ACCOUNT_ID, now=clock())  # after connecting again with the permission
    assert service.handle(first).state == "replied"
    assert service.handle(second).state == "replied"


def test_ensure_configured_account_does_not_lift_a_block_on_restart(
    engine: Engine, cipher: TokenCipher, clock: FakeClock, tmp_path: Path
) -> None:
    accounts = AccountRepository(engine, cipher)
    settings = load_settings(
        home=tmp_path, ig_access_token=SecretStr("tok-1"), ig_user_id="42", ig_username="bot"
    )
    assert ensure_configured_account(settings, accounts, now=clock()) is not None
    accounts.block("42", "token expired", now=clock())
    assert ensure_configured_account(settings, accounts, now=clock()).status == "blocked"  # same token
    renewed = settings.model_copy(update={"ig_access_token": SecretStr("tok-2")})
    assert ensure_configured_account(renewed, accounts, now=clock()).status == "active"
    assert (
        ensure_configured_account(load_settings(home=tmp_path, ig_access_token=None), accounts, now=clock())
        is None
    )


def test_build_services_takes_limits_from_settings(
    engine: Engine, cipher: TokenCipher, tmp_path: Path
) -> None:
    settings = load_settings(home=tmp_path, commenter_cooldown_seconds=5, post_reply_cap=7)
    services = build_services(settings, CommentRepository(engine), AccountRepository(engine, cipher))
    assert services.replies.limits.post_reply_cap == 7
    assert services.replies.limits.commenter_cooldown.total_seconds() == 5


def test_queue_depth_gauge_reads_the_database(engine: Engine, clock: FakeClock) -> None:
    comments = CommentRepository(engine)
    _submit(comments, clock)
    registry = CollectorRegistry()
    register_queue_depth(comments.counts_by_state, registry)
    assert registry.get_sample_value("marksix_comments", {"state": "queued"}) == 1
    assert registry.get_sample_value("marksix_comments", {"state": "replied"}) == 0


def test_logs_never_carry_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    assert redact_secrets(None, "info", {"access_token": "x", "event": "e"})["access_token"] == "***"
    configure_logging("INFO", json=True)
    try:
        structlog.get_logger("test").info("stored", ig_access_token=TOKEN, account_id="1")
        line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
        assert line["ig_access_token"] == "***" and line["account_id"] == "1"
    finally:
        structlog.reset_defaults()


@pytest.mark.parametrize("switch", [True, False])
def test_the_dashboard_llm_switch_decides_whether_the_llm_is_asked(
    engine: Engine, cipher: TokenCipher, clock: FakeClock, tmp_path: Path, switch: bool
) -> None:
    # Nothing listens on port 9: asking the LLM fails at once and the template
    # reply goes out with the reason; not asking leaves no reason at all.
    settings = load_settings(home=tmp_path, llm_base_url="http://127.0.0.1:9/v1", llm_model="any")
    comments, accounts = CommentRepository(engine), AccountRepository(engine, cipher)
    accounts.save(ACCOUNT_ID, ACCOUNT_NAME, now=clock(), token=TOKEN, settings={"llm_enabled": switch})
    key = _submit(comments, clock, text="俾個號碼我")
    reply = LanguageReplies(settings, clock=clock)(comments.get(key), accounts.get(ACCOUNT_ID))
    assert reply.path == "template"
    assert (reply.reason is not None) == switch


def test_replies_see_a_stored_draw_and_the_next_draw_without_a_restart(tmp_path: Path) -> None:
    """No time-based cache: the held archive reads again once a draw is stored, and
    the next draw moves on at 21:15 HKT sharp."""
    from marksix.draws.archive import DrawArchive
    from marksix.store.accounts import Account

    clock = FakeClock(datetime(2026, 12, 1, 13, 14, 59, tzinfo=UTC))  # Tuesday 21:14:59 HKT
    settings = load_settings(home=tmp_path)
    replies = LanguageReplies(settings, clock=clock)
    account = Account(id=ACCOUNT_ID, username=ACCOUNT_NAME, status="active")
    try:
        first = replies.context(account)
        assert first.next_draw.date.isoformat() == "2026-12-01"
        assert replies.context(account).history is first.history  # nothing stored: nothing read again
        clock.advance(1)
        assert replies.context(account).next_draw.date.isoformat() == "2026-12-03"
        source = tmp_path / "new.csv"
        source.write_text(
            "draw_id,date,n1,n2,n3,n4,n5,n6,extra\n26/097,2026-09-08,2,3,5,7,11,13,17\n", encoding="utf-8"
        )
        with DrawArchive(settings.locator) as other:  # the poller, or `marksix draws import`
            other.import_file(source, now=clock())
        assert replies.context(account).history.latest.draw_id == "26/097"
    finally:
        replies.close()
