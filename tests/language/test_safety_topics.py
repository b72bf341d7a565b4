"""The safety screen: crisis, minors, family, debt, guarantees and bot questions, in three languages.

Crisis and minor comments never get numbers: asserted over every labelled file.
"""

from __future__ import annotations

import pytest
from corpus_score import FIXTURES, load

from marksix.language import Comment, ReplyContext, respond
from marksix.language.intents import INTENTS

LABELLED = sorted(path.name for path in FIXTURES.glob("comments*.jsonl"))
CRISIS_LINES = ("2389 2222", "2896 0000", "2382 0000", "18111", "999", "1834 633")


@pytest.mark.parametrize("name", LABELLED)
def test_no_crisis_or_minor_comment_in_any_labelled_set_gets_numbers(
    name: str, context: ReplyContext
) -> None:
    for index, record in enumerate(load(FIXTURES / name)):
        if record.get("topic") not in ("crisis", "minor") and record["intent"] != "support":
            continue
        reply = respond(Comment(record["text"], "fan", f"safe-{index}"), context)
        assert reply.tickets == [], record["text"]


@pytest.mark.parametrize(
    "text",
    [
        "再唔中我就去死",
        "唔想活落去",
        "好想死",
        "我諗過自殺",
        "再不中我就去死",
        "不想活了",
        "if I lose again I'm going to end it",
        "kms if this doesnt hit",
        "i want to kill my self",
        "suicidal after losing",
        "想死，俾組號碼我",
    ],
)
def test_crisis_gets_every_line_and_no_numbers(text: str, context: ReplyContext) -> None:
    reply = respond(Comment(text, "fan", "1"), context)
    assert (reply.intent, reply.topic, reply.tickets) == ("support", "crisis", [])
    assert reply.text is not None
    for line in CRISIS_LINES:
        assert line in reply.text, (line, reply.text)
    assert "18+" in reply.text and len(reply.text) <= context.max_chars


@pytest.mark.parametrize(
    "text",
    [
        "我17歲可唔可以買？",
        "我今年16歲，俾組號碼我",
        "我才16岁能买吗",
        "I'm 16, give me some numbers",
        "im 17 pick 8",
    ],
)
def test_a_commenter_under_eighteen_gets_the_law_and_no_numbers(text: str, context: ReplyContext) -> None:
    reply = respond(Comment(text, "fan", "1"), context)
    assert (reply.intent, reply.topic, reply.tickets) == ("support", "minor", [])
    assert reply.text is not None and "18" in reply.text


@pytest.mark.parametrize(
    "text", ["我今年45歲，俾組號碼", "我16歲個仔生日，俾組號碼", "I'm 40 give me numbers"]
)
def test_an_adult_or_a_childs_age_is_not_a_minor(text: str, context: ReplyContext) -> None:
    reply = respond(Comment(text, "fan", "1"), context)
    assert reply.topic != "minor"


@pytest.mark.parametrize(
    ("text", "topic", "intent"),
    [
        ("我老豆日日買六合彩，屋企冇錢開飯", "family", "support"),
        ("我爸天天买彩票，家里快没钱了", "family", "support"),
        ("my husband gambles every week and hides it from me", "family", "support"),
        ("問大耳窿借咗錢買六合彩", "debt", "support"),
        ("借了网贷买彩票", "debt", "support"),
        ("borrowed from a loan shark to buy tickets", "debt", "support"),
        ("有冇必中號碼？", "guarantee", "odds"),
        ("给我包中的号码", "guarantee", "odds"),
        ("guaranteed numbers?", "guarantee", "odds"),
        ("你係咪AI嚟？", "bot", "help"),
        ("你是机器人吗", "bot", "help"),
        ("is this a scam", "bot", "help"),
        ("is this HKJC's official account", "bot", "help"),
        ("唔使再覆我", "stop", "help"),
        ("别再回复我了", "stop", "help"),
        ("stop replying to me", "stop", "help"),
        ("多謝晒！", "thanks", "help"),
        ("谢谢！", "thanks", "help"),
        ("thank you so much", "thanks", "help"),
        ("早晨", "greeting", "help"),
        ("大家好", "greeting", "help"),
        ("good morning", "greeting", "help"),
        ("一注幾錢？", "price", "help"),
        ("一注多少钱", "price", "help"),
        ("how much is a ticket", "price", "help"),
        ("免費㗎？", "free", "help"),
        ("这个要收费吗", "free", "help"),
        ("is this free?", "free", "help"),
        ("今日好熱", "unclear", "help"),
        ("今天天气不错", "unclear", "help"),
        ("what's the font", "unclear", "help"),
    ],
)
def test_topics_get_their_own_answer_and_no_ticket(
    text: str, topic: str, intent: str, context: ReplyContext
) -> None:
    reply = respond(Comment(text, "fan", "1"), context)
    assert (reply.intent, reply.topic) == (intent, topic)
    assert reply.intent in INTENTS
    assert reply.tickets == []
    assert reply.text is not None and "18+" in reply.text and "1834 633" in reply.text


def test_the_bot_answer_is_truthful(context: ReplyContext) -> None:
    english = respond(Comment("are you a bot?", "fan", "1"), context).text or ""
    assert "automated bot" in english and "not HKJC" in english.replace("not HKJC's", "not HKJC")
    cantonese = respond(Comment("你係咪真人？", "fan", "1"), context).text or ""
    assert "機械人" in cantonese or "自動" in cantonese


def test_a_guarantee_gets_a_fun_pick_only_where_the_account_allows(context: ReplyContext) -> None:
    from dataclasses import replace

    plain = respond(Comment("有冇必中號碼", "fan", "1"), context)
    assert plain.tickets == [] and "13,983,816" in (plain.text or "")
    fun = respond(Comment("有冇必中號碼", "fan", "1"), replace(context, guarantee_fun_pick=True))
    assert len(fun.tickets) == 1 and (fun.text or "").startswith("@fan")
