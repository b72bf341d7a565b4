"""The reply state machine against a fake Graph API, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client import REGISTRY
from service_fakes import (
    ACCOUNT_ID,
    ACCOUNT_NAME,
    Env,
    admission_rule,
    claim_record,
    event,
    timeout_after_send,
)

from marksix.errors import (
    ConfigError,
    NetworkError,
    PermanentApiError,
    PolicyBlocked,
    RateLimited,
    RetryableApiError,
    TokenExpired,
)
from marksix.store.comments import CommentKey, CommentRecord
from marksix.worker.limits import Limits, limits_for
from marksix.worker.sweeper import Sweeper


def submit(env: Env, **kwargs: object) -> CommentKey:
    incoming = event(**kwargs)  # type: ignore[arg-type]
    assert env.comments.record(incoming, now=env.clock())
    key = CommentKey(incoming.account_id, incoming.comment_id)
    env.comments.queue(key, now=env.clock())
    return key


def stored(env: Env, key: CommentKey) -> CommentRecord:
    return env.comments.get(key)


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_comment_gets_exactly_one_reply(env: Env) -> None:
    sent_before = metric("marksix_replies_sent_total", kind="public")
    key = submit(env)
    env.clock.advance(1.5)
    outcome = env.service.handle(key)
    assert outcome.state == "replied"
    record = stored(env, key)
    assert (record.state, record.intent, record.reply_path, record.latency_seconds) == (
        "replied",
        "pick",
        "template",
        1.5,
    )
    assert record.reply_id == env.graph.replies[key.comment_id][0]["id"]
    assert record.reply_details == {"request": {"strategy": "random"}, "tickets": [[3, 11, 18, 25, 33, 47]]}
    # A duplicate task, or a webhook redelivery, changes nothing.
    assert env.service.handle(key).state == "not_claimed"
    assert env.comments.record(event(comment_id=key.comment_id), now=env.clock()) is False
    assert env.graph.posted() == 1
    assert metric("marksix_replies_sent_total", kind="public") == sent_before + 1


def test_retry_after_a_server_error_checks_first_then_posts_once(env: Env) -> None:
    env.graph.fail["reply"] = [RetryableApiError("HTTP 500", status=500)]
    key = submit(env)
    first = env.service.handle(key)
    assert first.state == "queued" and first.code == "unknown_outcome" and first.retry_at is not None
    record = stored(env, key)
    assert (record.attempts, record.state, record.not_before) == (1, "queued", first.retry_at)
    assert env.service.handle(key).state == "not_claimed"  # not due yet
    env.clock.now = first.retry_at
    assert env.service.handle(key).state == "replied"
    assert env.graph.calls[-2:] == [f"list_replies:{key.comment_id}", f"reply:{key.comment_id}"]
    assert env.graph.posted() == 1


def test_unknown_outcome_finds_our_reply_and_never_posts_again(env: Env) -> None:
    env.graph.fail["reply"] = [timeout_after_send()]  # the reply went out, the answer was lost
    key = submit(env)
    first = env.service.handle(key)
    assert first.state == "queued"
    assert env.graph.posted() == 1
    env.clock.now = first.retry_at or env.clock.now
    second = env.service.handle(key)
    assert second.state == "replied" and "not posted again" in (second.reason or "")
    assert env.graph.posted() == 1
    assert stored(env, key).reply_id == env.graph.replies[key.comment_id][0]["id"]


def test_worker_dying_after_the_post_is_swept_and_not_posted_twice(env: Env) -> None:
    key = submit(env)

    class Crash(BaseException):
        pass

    real_reply = env.graph.reply

    def reply_then_die(comment_id: str, message: str) -> str:
        real_reply(comment_id, message)
        raise Crash  # the process is killed before it records anything

    env.graph.reply = reply_then_die  # type: ignore[method-assign]
    with pytest.raises(Crash):
        env.service.handle(key)
    env.graph.reply = real_reply  # type: ignore[method-assign]
    assert stored(env, key).state == "in_progress"
    sweeper = Sweeper(env.comments, limits=env.service.limits, clock=env.clock)
    assert sweeper.sweep().requeued == 0  # the lease still runs
    env.clock.advance(121)
    result = sweeper.sweep()
    assert result.requeued == 1 and key in result.due
    assert env.service.handle(key).state == "replied"
    assert env.graph.posted() == 1


def test_throttling_backs_off_for_the_regain_time_and_loses_nothing(env: Env) -> None:
    env.graph.fail["reply"] = [RateLimited("(#80002) too many calls", retry_after=600, code=80002)]
    key, other = submit(env), submit(env, username="bob")
    outcome = env.service.handle(key)
    assert outcome.state == "queued" and outcome.code == "rate_limited"
    assert outcome.retry_at == env.clock() + timedelta(seconds=600)
    record = stored(env, key)
    assert (record.attempts, record.send_started_at) == (0, None)
    account = env.accounts.get(ACCOUNT_ID)
    assert account.paused_until == outcome.retry_at
    # The whole account waits, not only the throttled comment.
    assert env.service.handle(other).code == "account_paused"
    env.clock.advance(600)
    assert env.service.handle(key).state == "replied"
    assert env.service.handle(other).state == "replied"
    assert env.graph.posted() == 2


@pytest.mark.parametrize(
    "error",
    [
        PolicyBlocked("Temporarily blocked for policies violations", code=368),
        PolicyBlocked("We restrict certain activity", code=4, subcode=2207051),
    ],
)
def test_a_policy_block_pauses_the_account_and_it_resumes_by_itself(env: Env, error: Exception) -> None:
    env.graph.fail["reply"] = [error]
    key, other = submit(env), submit(env, username="bob")
    outcome = env.service.handle(key)
    assert (outcome.state, outcome.code) == ("queued", "policy_blocked")
    account = env.accounts.get(ACCOUNT_ID)
    assert account.status == "active" and account.alert and "automatically" in account.alert
    assert outcome.retry_at == account.paused_until
    assert env.service.handle(other).code == "account_paused"  # waits without calling Graph
    for waiting in (key, other):
        record = stored(env, waiting)
        assert (record.state, record.attempts, record.not_before) == ("queued", 0, account.paused_until)
    assert account.paused_until is not None
    env.clock.now = account.paused_until + timedelta(seconds=1)
    assert [env.service.handle(k).state for k in (key, other)] == ["replied", "replied"]
    assert env.graph.posted() == 2
    assert env.accounts.get(ACCOUNT_ID).alert is None


def test_high_usage_pauses_sending_before_meta_throttles(env: Env) -> None:
    env.graph.usage.max_percent = 95.0
    first, second = submit(env), submit(env, username="bob")
    assert env.service.handle(first).state == "replied"
    outcome = env.service.handle(second)
    assert outcome.code == "account_paused" and "95%" in (outcome.reason or "")
    env.graph.usage.max_percent = 10.0
    env.clock.advance(61)
    assert env.service.handle(second).state == "replied"


@pytest.mark.parametrize(
    ("error", "resume"),
    [
        (TokenExpired("Error validating access token: Session has expired", code=190, subcode=463), "token"),
        (PermanentApiError("The Instagram account is restricted", code=25, subcode=2207050), "unblock"),
    ],
)
def test_blocks_stop_the_account_and_comments_wait_until_it_resumes(
    env: Env, error: Exception, resume: str
) -> None:
    env.graph.fail["reply"] = [error]
    key, other = submit(env), submit(env, username="bob")
    outcome = env.service.handle(key)
    assert outcome.state == "waiting"
    account = env.accounts.get(ACCOUNT_ID)
    assert account.status == "blocked" and account.alert
    assert str(error) in account.alert or "restricted" in account.alert
    assert "IGAAT" not in account.alert
    assert env.service.handle(other).state == "waiting"
    for waiting in (key, other):
        record = stored(env, waiting)
        assert (record.state, record.attempts, record.not_before) == ("queued", 0, None)
    env.clock.advance(3600)
    assert env.comments.due(now=env.clock(), enqueued_before=env.clock()) == []  # blocked: nothing due
    if resume == "token":
        env.accounts.set_token(ACCOUNT_ID, "IGAAT-new-token", now=env.clock())
    else:
        env.accounts.unblock(ACCOUNT_ID, now=env.clock())
    assert set(env.comments.due(now=env.clock(), enqueued_before=env.clock())) == {key, other}
    assert [env.service.handle(k).state for k in (key, other)] == ["replied", "replied"]
    assert env.graph.posted() == 2


def test_a_refused_reply_fails_with_its_reason(env: Env) -> None:
    env.graph.fail["reply"] = [PermanentApiError("(#100) The comment is hidden", code=100, status=400)]
    key = submit(env)
    assert env.service.handle(key).state == "failed"
    record = stored(env, key)
    assert (record.failure_class, record.send_started_at) == ("permanent", None)
    assert "code 100" in (record.reason or "")


def test_network_errors_give_up_after_max_attempts(env: Env) -> None:
    env.graph.fail["list_replies"] = [NetworkError("offline")] * 10
    env.graph.fail["reply"] = [NetworkError("offline")]
    key = submit(env)
    states = []
    for _ in range(Limits().max_attempts):
        outcome = env.service.handle(key)
        states.append(outcome.state)
        if outcome.retry_at:
            env.clock.now = outcome.retry_at
    assert states == ["queued", "queued", "queued", "queued", "failed"]
    record = stored(env, key)
    assert (record.state, record.attempts, record.failure_class) == ("failed", 5, "unknown_outcome")
    assert "gave up after 5 attempts" in (record.reason or "")


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"from_id": ACCOUNT_ID, "username": "someone"}, "own_comment"),
        ({"username": ACCOUNT_NAME.upper()}, "own_comment"),
        ({"self_ig_scoped_id": "99"}, "own_comment"),
        ({"parent_id": "c-top"}, "reply_in_thread"),
        ({"field": "live_comments"}, "live_comment"),
        ({"text": "please ignore me"}, "ignored"),
        ({"account_id": "unknown-account"}, "unknown_account"),
    ],
)
def test_comments_we_do_not_answer_are_skipped_with_a_reason(
    env: Env, kwargs: dict[str, str], code: str
) -> None:
    key = submit(env, **kwargs)
    outcome = env.service.handle(key)
    record = stored(env, key)
    assert (outcome.state, record.state, record.reason_code) == ("skipped", "skipped", code)
    assert record.reason
    assert env.graph.posted() == 0


def test_our_own_reply_coming_back_as_a_webhook_is_skipped(env: Env) -> None:
    key = submit(env)
    env.service.handle(key)
    reply_id = stored(env, key).reply_id
    assert reply_id is not None
    echo = submit(env, comment_id=reply_id, username="someone-else", from_id="scoped-id")
    assert env.service.handle(echo).code == "own_comment"


def test_commenter_cooldown_skips_repeat_comments(env: Env) -> None:
    first, second = submit(env, username="amy"), submit(env, username="amy")
    assert env.service.handle(first).state == "replied"
    outcome = env.service.handle(second)
    assert outcome.code == "commenter_cooldown" and "@amy" in (outcome.reason or "")
    env.clock.advance(61)
    assert env.service.handle(submit(env, username="amy")).state == "replied"
    assert env.graph.posted() == 2


def test_post_cap_from_account_settings(env: Env) -> None:
    env.accounts.update_settings(
        ACCOUNT_ID, {"post_reply_cap": 2, "commenter_cooldown_seconds": 0}, now=env.clock()
    )
    outcomes = [env.service.handle(submit(env, username=f"u{n}")).code for n in range(3)]
    assert outcomes == [None, None, "post_reply_cap"]
    assert env.service.handle(submit(env, username="u9", media_id="media-2")).state == "replied"


def test_private_replies_keep_to_the_hourly_window(env: Env) -> None:
    env.accounts.update_settings(
        ACCOUNT_ID, {"reply_mode": "private", "private_replies_per_hour": 2}, now=env.clock()
    )
    keys = [submit(env, username=f"u{n}") for n in range(3)]
    assert [env.service.handle(key).state for key in keys[:2]] == ["replied", "replied"]
    env.clock.advance(10)
    deferred = env.service.handle(keys[2])
    assert deferred.code == "private_reply_window"
    assert deferred.retry_at is not None and deferred.retry_at == env.clock() - timedelta(
        seconds=10
    ) + timedelta(hours=1)
    env.clock.now = deferred.retry_at + timedelta(seconds=1)
    assert env.service.handle(keys[2]).state == "replied"
    assert len(env.graph.private) == 3 and env.graph.posted() == 0
    assert stored(env, keys[2]).reply_kind == "private"


def test_limits_reject_bad_account_settings() -> None:
    assert limits_for(Limits(), "a", {"post_reply_cap": 5}).post_reply_cap == 5
    with pytest.raises(ConfigError, match="account a: bad limit settings: private_replies_per_hour"):
        limits_for(Limits(), "a", {"private_replies_per_hour": 1000})
    with pytest.raises(ConfigError, match="language"):
        limits_for(Limits(), "a", {"language": "fr", "graph_base_url": "http://x"})


def test_an_unexpected_error_goes_back_to_the_queue(env: Env) -> None:
    def broken(record: CommentRecord, account: object) -> object:
        raise RuntimeError("template bug")

    env.service.reply_for = broken  # type: ignore[assignment]
    key = submit(env)
    outcome = env.service.handle(key)
    assert outcome.state == "queued" and outcome.code == "internal_error"
    assert "template bug" in (stored(env, key).reason or "")


def test_concurrent_admissions_respect_the_cooldown(env: Env) -> None:
    import threading

    from marksix.store.comments import ReplyFields

    records = []
    for _ in range(4):
        key = submit(env, username="amy")
        claimed = claim_record(env.comments, key, now=env.clock(), lease=timedelta(seconds=120))
        assert claimed is not None
        records.append(claimed)
    verdicts: list[str] = []
    barrier = threading.Barrier(len(records))

    def admit(record: CommentRecord) -> None:
        barrier.wait()
        admission = env.comments.admit(
            record,
            ReplyFields("pick", "zh-HK", "text", "template"),
            kind="public",
            now=env.clock(),
            lease=timedelta(seconds=120),
            decide=admission_rule(
                record,
                kind="public",
                now=env.clock(),
                cooldown=timedelta(seconds=60),
                post_cap=100,
                private_per_hour=750,
            ),
        )
        verdicts.append(admission.verdict)

    threads = [threading.Thread(target=admit, args=(record,)) for record in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(verdicts) == ["send", "skip", "skip", "skip"]


def test_sweeper_fails_a_comment_that_keeps_killing_workers(env: Env) -> None:
    key = submit(env)
    sweeper = Sweeper(env.comments, limits=Limits(max_attempts=2), clock=env.clock)
    results = []
    for _ in range(2):
        assert claim_record(env.comments, key, now=env.clock(), lease=timedelta(seconds=120)) is not None
        env.clock.advance(121)
        results.append(sweeper.sweep())
    assert (results[0].requeued, results[1].failed) == (1, 1)
    record = stored(env, key)
    assert (record.state, record.failure_class, record.attempts) == ("failed", "worker_lost", 2)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (RateLimited("(#4) Application request limit reached", retry_after=None, code=4), "active"),
        (TokenExpired("Session has expired", code=190), "blocked"),
    ],
)
def test_reconciler_errors_pause_or_block_the_account(env: Env, error: Exception, status: str) -> None:
    from marksix.worker.reconcile import Reconciler

    env.graph.fail["list_media"] = [error]
    reconciler = Reconciler(env.comments, env.accounts, graph_for=lambda account: env.graph, clock=env.clock)
    result = reconciler.reconcile()
    assert result.found == [] and len(result.problems) == 1
    account = env.accounts.get(ACCOUNT_ID)
    assert account.status == status
    if status == "active":
        assert account.paused_at(env.clock())
        assert reconciler.reconcile().problems == []  # paused accounts are not polled
        assert env.graph.calls.count("list_media") == 1


def test_a_policy_block_while_polling_pauses_the_account_and_it_resumes_by_itself(env: Env) -> None:
    from marksix.worker.reconcile import Reconciler

    env.graph.fail["list_media"] = [PolicyBlocked("Temporarily blocked for policies violations", code=368)]
    reconciler = Reconciler(env.comments, env.accounts, graph_for=lambda account: env.graph, clock=env.clock)
    assert len(reconciler.reconcile().problems) == 1
    account = env.accounts.get(ACCOUNT_ID)
    # Waited out like a reply that meets the block, never left for a person to unblock.
    assert account.status == "active" and account.alert and "automatically" in account.alert
    assert account.paused_until is not None and account.paused_at(env.clock())
    key = submit(env)
    assert env.service.handle(key).code == "account_paused"
    env.clock.now = account.paused_until + timedelta(seconds=1)
    assert env.service.handle(key).state == "replied"
    assert env.accounts.get(ACCOUNT_ID).alert is None
    assert reconciler.reconcile().problems == []


def test_bad_account_settings_block_the_account_with_the_reason(env: Env) -> None:
    env.accounts.update_settings(ACCOUNT_ID, {"reply_mode": "shout"}, now=env.clock())
    key = submit(env)
    assert env.service.handle(key).state == "waiting"
    account = env.accounts.get(ACCOUNT_ID)
    assert account.status == "blocked" and "reply_mode" in (account.alert or "")
    env.accounts.update_settings(ACCOUNT_ID, {"reply_mode": "public"}, now=env.clock())
    env.accounts.unblock(ACCOUNT_ID, now=env.clock())
    assert env.service.handle(key).state == "replied"


def test_private_replies_only_within_seven_days(env: Env) -> None:
    env.accounts.update_settings(ACCOUNT_ID, {"reply_mode": "private"}, now=env.clock())
    key = submit(env)  # commented at the event's timestamp, long before the test clock
    env.clock.advance(8 * 24 * 3600)
    assert env.service.handle(key).code == "private_reply_expired"
    assert env.graph.private == []


def test_reconciler_pauses_the_account_when_usage_runs_high(env: Env) -> None:
    from marksix.worker.reconcile import Reconciler

    env.graph.usage.max_percent = 97.0
    reconciler = Reconciler(env.comments, env.accounts, graph_for=lambda account: env.graph, clock=env.clock)
    reconciler.reconcile()
    account = env.accounts.get(ACCOUNT_ID)
    assert account.paused_at(env.clock()) and "97%" in (account.pause_reason or "")


def test_tokens_are_refreshed_before_they_expire(env: Env) -> None:
    from marksix.worker.tokens import TokenRefresher

    env.accounts.set_token(
        ACCOUNT_ID, "IGAAT-old", now=env.clock(), expires_at=env.clock() + timedelta(days=30)
    )
    refresher = TokenRefresher(env.accounts, graph_for=lambda account: env.graph, clock=env.clock)
    assert refresher.refresh().refreshed == []  # not due yet
    env.clock.advance(15 * 24 * 3600)
    assert refresher.refresh().refreshed == [ACCOUNT_ID]
    account = env.accounts.get(ACCOUNT_ID)
    assert account.token_expires_at == env.clock() + timedelta(days=60)
    token = env.accounts.token(ACCOUNT_ID)
    assert token is not None and token.get_secret_value().startswith("IGAAT-refreshed-")
    env.clock.advance(59 * 24 * 3600)
    env.graph.fail["refresh_access_token"] = [TokenExpired("Session has expired", code=190, subcode=463)]
    assert len(refresher.refresh().problems) == 1
    assert env.accounts.get(ACCOUNT_ID).status == "blocked"


def test_accounts_are_independent(env: Env) -> None:
    from service_fakes import FakeGraph

    other_graph = FakeGraph(account_id="17841400000000002", username="second_shop")
    graphs = {ACCOUNT_ID: env.graph, other_graph.account_id: other_graph}
    env.service.graph_for = lambda account: graphs[account.id]
    env.accounts.save(other_graph.account_id, "second_shop", now=env.clock(), token="IGAAT-second")
    env.graph.fail["reply"] = [TokenExpired("Session has expired", code=190)]
    mine = submit(env)
    theirs = submit(env, account_id=other_graph.account_id, username="amy")
    assert env.service.handle(mine).state == "waiting"
    assert env.service.handle(theirs).state == "replied"  # same commenter, other account: no cooldown
    assert env.accounts.get(other_graph.account_id).status == "active"
    assert (env.graph.posted(), other_graph.posted()) == (0, 1)
