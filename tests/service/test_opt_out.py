"""'Stop replying to me' is honoured per account until the commenter asks for numbers again."""

from __future__ import annotations

from service_fakes import Env, FakeReply, event

from marksix.store.accounts import Account
from marksix.store.comments import CommentKey, CommentRecord

TOPICS = {
    "stop": ("help", "stop"),
    "odds": ("odds", "odds"),
    "numbers": ("pick", "pick"),
    "die": ("support", "crisis"),
}


def reply_by_text(record: CommentRecord, account: Account) -> FakeReply:
    intent, topic = TOPICS[record.text]
    tickets = [(3, 11, 18, 25, 33, 47)] if intent == "pick" else []
    return FakeReply(
        intent, "en", {}, tickets, f"@{record.username} ok (18+ 1834 633)", "template", topic=topic
    )


def answer(env: Env, text: str) -> CommentRecord:
    incoming = event(text)
    assert env.comments.record(incoming, now=env.clock())
    key = CommentKey(incoming.account_id, incoming.comment_id)
    env.comments.queue(key, now=env.clock())
    env.clock.advance(600)  # past the commenter cooldown
    env.service.handle(key)
    return env.comments.get(key)


def test_a_stop_request_is_acknowledged_then_honoured_until_numbers_are_asked(env: Env) -> None:
    env.service.reply_for = reply_by_text
    assert answer(env, "stop").state == "replied"
    quiet = answer(env, "odds")
    assert (quiet.state, quiet.reason_code) == ("skipped", "opted_out")
    # Crisis lines always go out.
    assert answer(env, "die").state == "replied"
    assert answer(env, "numbers").state == "replied"
    assert answer(env, "odds").state == "replied"
