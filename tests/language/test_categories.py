"""Every category of issue 11's question space, in zh-HK, zh-CN and en: one table per category.

Each row is (text, language, what the reply must say). Every reply is also
held to the house rules: 18+ and 1834 633, within the limit, and no ticket
unless the category is a pick.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from corpus_score import FIXTURES, load

from marksix.domain.calendar import next_scheduled_draw
from marksix.domain.colours import colour_of
from marksix.domain.statistics import compute_statistics
from marksix.language import Comment, Reply, ReplyContext, respond
from marksix.language.intents import INTENTS


def reply_to(text: str, language: str, context: ReplyContext) -> Reply:
    reply = respond(Comment(text, "fan", "category"), context)
    assert reply.language == language, (text, reply.language)
    assert reply.intent in INTENTS
    assert reply.text is not None and "18+" in reply.text and "1834 633" in reply.text
    assert len(reply.text) <= context.max_chars
    assert "Your the" not in reply.text
    return reply


# --- a number's gap, frequency or hotness against its chance band ----------
NUMBER_QUESTIONS = [
    ("23號幾耐冇出過？", "zh-HK", "number_gap"),
    ("23号多久没出了", "zh-CN", "number_gap"),
    ("how long since 23 came up?", "en", "number_gap"),
    ("what is the gap of number 23", "en", "number_gap"),
    ("how many draws since number 23 appeared?", "en", "number_gap"),
    ("7號出咗幾多次？", "zh-HK", "number_frequency"),
    ("7号出了几次", "zh-CN", "number_frequency"),
    ("how many times has 7 been drawn", "en", "number_frequency"),
    ("8號係咪熱門？", "zh-HK", "number_hot"),
    ("8号是热号吗", "zh-CN", "number_hot"),
    ("is 8 a hot number?", "en", "number_hot"),
]


@pytest.mark.parametrize(("text", "language", "topic"), NUMBER_QUESTIONS)
def test_a_numbers_record_is_answered_against_chance(
    text: str, language: str, topic: str, context: ReplyContext
) -> None:
    reply = reply_to(text, language, context)
    assert (reply.intent, reply.topic, reply.tickets) == ("stats", topic, [])
    number = reply.request["include"][0] if reply.request["include"] else None
    assert number is None or number in (7, 8, 23)
    whole = compute_statistics(context.history)
    recent = compute_statistics(context.history.last(100))
    body = reply.text or ""
    if topic == "number_gap":
        # The gap and the longest gap come from domain.statistics, not a second count.
        assert str(int(whole.since_last_seen[23])) in body and str(int(whole.longest_gap[23])) in body
    else:
        asked = 7 if topic == "number_frequency" else 8
        low, high = recent.band.one_number
        assert str(int(recent.frequency[asked])) in body
        assert str(low) in body and str(high) in body


# --- the next jackpot or Snowball, or "not announced yet" -----------------
JACKPOT = [
    ("下期頭獎幾多錢？", "zh-HK", "未公佈"),
    ("下期头奖多少", "zh-CN", "还没公布"),
    ("how big is the next jackpot?", "en", "hasn't announced"),
]


@pytest.mark.parametrize(("text", "language", "says"), JACKPOT)
def test_the_jackpot_not_yet_announced_is_said_plainly(
    text: str, language: str, says: str, context: ReplyContext
) -> None:
    reply = reply_to(text, language, context)
    assert (reply.intent, reply.topic, reply.tickets) == ("next_draw", "jackpot", [])
    assert says in (reply.text or "") and "8,000,000" in (reply.text or "")


@pytest.mark.parametrize(("text", "language", "says"), JACKPOT)
def test_an_announced_jackpot_and_snowball_are_given(
    text: str, language: str, says: str, context: ReplyContext
) -> None:
    announced = replace(
        context.next_draw, estimated_first_prize=128_000_000, snowball_name="Snowball", announced=True
    )
    reply = reply_to(text, language, replace(context, next_draw=announced))
    assert reply.topic == "jackpot"
    assert "128,000,000" in (reply.text or "") and "Snowball" in (reply.text or "")
    assert says not in (reply.text or "")


# --- what a multiple or banker entry does to the chance -------------------
MULTIPLES = [
    ("7個號複式中頭獎機會大咗幾多？", "zh-HK", ("7 / 13,983,816", "1,997,688", "HK$70")),
    ("复式提高几率吗", "zh-CN", ("7 / 13,983,816", "1,997,688", "HK$70")),
    ("does an 8 number multiple improve my chance?", "en", ("28 in 13,983,816", "499,422", "HK$280")),
    ("8做膽拖6隻機會大啲？", "zh-HK", ("6 / 13,983,816", "2,330,636", "HK$60")),
    ("8做膽拖5隻機會大啲？", "zh-HK", ("最少要7個號", "6 / 13,983,816")),
    ("胆拖会不会更容易中", "zh-CN", ("13,983,816",)),
    ("do bankers give better odds", "en", ("13,983,816",)),
]


@pytest.mark.parametrize(("text", "language", "says"), MULTIPLES)
def test_a_multiple_is_more_entries_at_the_same_odds(
    text: str, language: str, says: tuple[str, ...], context: ReplyContext
) -> None:
    reply = reply_to(text, language, context)
    assert (reply.intent, reply.topic, reply.tickets) == ("odds", "multiple_odds", [])
    for piece in says:
        assert piece in (reply.text or ""), (piece, reply.text)


# --- fixed prize amounts (4th to 7th) and the shared tiers -----------------
PRIZES = [
    ("四獎有幾多錢？", "zh-HK", "9,600"),
    ("五等奖多少钱", "zh-CN", "640"),
    ("how much is the 7th prize?", "en", "HK$40"),
    ("固定獎金係幾多？", "zh-HK", "HK$320"),
    ("中三個號有幾多錢", "zh-HK", "HK$40"),
    ("what does the 2nd prize pay", "en", "no fixed amount"),
    ("二等奖有多少钱", "zh-CN", "没有固定金额"),
]


@pytest.mark.parametrize(("text", "language", "says"), PRIZES)
def test_prize_amounts_come_from_the_rules(
    text: str, language: str, says: str, context: ReplyContext
) -> None:
    reply = reply_to(text, language, context)
    assert (reply.intent, reply.topic, reply.tickets) == ("help", "prize_amount", [])
    assert says in (reply.text or "")


# --- must I follow; tags of friends ---------------------------------------
ACCOUNT_QUESTIONS = [
    ("follow咗先有號碼？", "zh-HK", "follow"),
    ("要关注才有吗", "zh-CN", "follow"),
    ("do i need to follow", "en", "follow"),
    ("@ah_wing @ah_ming", "zh-HK", "tag"),
    ("@xiao_li @da_wang 这个好", "zh-CN", "tag"),
    ("@bob", "zh-HK", "tag"),
]


@pytest.mark.parametrize(("text", "language", "topic"), ACCOUNT_QUESTIONS)
def test_account_questions_and_tags_get_a_short_reply(
    text: str, language: str, topic: str, context: ReplyContext
) -> None:
    reply = reply_to(text, language, context)
    assert (reply.intent, reply.topic, reply.tickets) == ("help", topic, [])


def test_an_english_tag_gets_an_english_reply(context: ReplyContext) -> None:
    reply = reply_to("@bob 😂", "en", replace(context, language="en"))
    assert (reply.topic, reply.tickets) == ("tag", [])


# --- a stated window: this year -------------------------------------------
@pytest.mark.parametrize(
    ("text", "language", "says"),
    [
        ("今年邊個號出得最多？", "zh-HK", "今年（2026年）"),
        ("今年最热的号码", "zh-CN", "今年（2026年）"),
        ("hottest numbers this year", "en", "This year (2026)"),
    ],
)
def test_this_year_is_counted_over_this_years_draws(
    text: str, language: str, says: str, context: ReplyContext
) -> None:
    reply = reply_to(text, language, context)
    assert (reply.intent, reply.topic, reply.tickets) == ("stats", "window", [])
    drawn = sum(draw.date.year == 2026 for draw in context.history)
    assert says in (reply.text or "") and str(drawn) in (reply.text or "")


# --- lists joined by 、 ， / and 同, and numerals ---------------------------
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("要3、13同23", "zh-HK"),
        ("要3，13，23号", "zh-CN"),
        ("with 3/13/23", "en"),
        ("with 3, 13 and 23", "en"),
    ],
)
def test_lists_are_read_whole(text: str, language: str, context: ReplyContext) -> None:
    reply = reply_to(text, language, context)
    assert reply.request["include"] == [3, 13, 23]
    assert {3, 13, 23} <= set(reply.tickets[0])


@pytest.mark.parametrize(
    ("text", "language", "lines"),
    [("俾兩組我", "zh-HK", 2), ("要两组号码", "zh-CN", 2), ("two lines please", "en", 2)],
)
def test_two_written_as_a_word_is_a_count(
    text: str, language: str, lines: int, context: ReplyContext
) -> None:
    reply = reply_to(text, language, context)
    assert len(reply.tickets) == lines
    if language == "en":
        assert f"{lines} lines" in (reply.text or "")


# --- constraints: big/small and colour, in each language -------------------
@pytest.mark.parametrize(
    ("text", "language", "holds"),
    [
        ("全部細數", "zh-HK", lambda n: n <= 24),
        ("全部大号", "zh-CN", lambda n: n >= 25),
        ("all small numbers", "en", lambda n: n <= 24),
        ("要晒藍波", "zh-HK", lambda n: colour_of(n) == "blue"),
        ("要红波", "zh-CN", lambda n: colour_of(n) == "red"),
        ("all blue balls", "en", lambda n: colour_of(n) == "blue"),
    ],
)
def test_size_and_colour_hold_in_every_language(
    text: str, language: str, holds: object, context: ReplyContext
) -> None:
    reply = reply_to(text, language, context)
    assert callable(holds) and reply.tickets
    assert all(holds(number) for ticket in reply.tickets for number in ticket)


# --- stale data in a ticket check, in each language ------------------------
@pytest.mark.parametrize(
    ("text", "language", "says"),
    [
        ("26/120 3 8 15 22 37 41 中咗未", "zh-HK", "我手上未有你講嗰期嘅結果"),
        ("26/120 3 8 15 22 37 41 中了吗", "zh-CN", "我还没有你说的那期结果"),
        ("did 3 8 15 22 37 41 win in 26/120?", "en", "I don't have that draw's result yet"),
    ],
)
def test_a_ticket_check_for_a_draw_not_held_says_so(
    text: str, language: str, says: str, context: ReplyContext
) -> None:
    december = replace(context, next_draw=next_scheduled_draw(dt.datetime(2026, 12, 1, 4, tzinfo=dt.UTC)))
    reply = reply_to(text, language, december)
    assert reply.intent == "check_ticket" and says in (reply.text or "")


# --- replies a Hong Kong account would write -------------------------------
PICKS = {"zh-HK": "俾組號碼我", "zh-CN": "给我一组号码", "en": "numbers please"}
SET_WORDS = {"zh-HK": "呢組", "zh-CN": "这组", "en": "this one"}


@pytest.mark.parametrize("language", sorted(PICKS))
def test_the_pick_layout_rotates_beyond_the_opener(language: str, context: ReplyContext) -> None:
    bodies = set()
    for n in range(60):
        text = respond(Comment(PICKS[language], "fan", f"layout-{n}"), context).text or ""
        bodies.add(tuple(line[:1] for line in text.split("\n") if line[:1] in ("📊", "🔥", "🎲")))
    # Two statistics lines, one line of fact, or the chance band.
    assert {("📊", "🔥"), ("📊",), ("🎲",)} <= bodies


@pytest.mark.parametrize("language", sorted(PICKS))
def test_the_chance_band_layout_says_random_range(language: str, context: ReplyContext) -> None:
    band = {"zh-HK": "仲喺隨機範圍內", "zh-CN": "仍在随机范围内", "en": "within the random range"}[language]
    texts = [respond(Comment(PICKS[language], "fan", f"band-{n}"), context).text or "" for n in range(60)]
    assert any(band in text for text in texts)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("上期開咩號？", "zh-HK"),
        ("下期几时开奖", "zh-CN"),
        ("what are the odds of winning", "en"),
        ("俾3組號碼我", "zh-HK"),
        ("给我三组号码", "zh-CN"),
        ("3 lines please", "en"),
    ],
)
def test_no_this_set_closing_under_replies_without_one_set(
    text: str, language: str, context: ReplyContext
) -> None:
    for n in range(30):
        reply = respond(Comment(text, "fan", f"closing-{n}"), context)
        assert len(reply.tickets) != 1
        assert SET_WORDS[language] not in (reply.text or "").lower(), reply.text


def test_english_counts_agree_with_their_number(context: ReplyContext) -> None:
    reply = reply_to("numbers for the last 1 draw", "en", context)
    assert "1 draws" not in (reply.text or "")
    three = reply_to("3 lines please", "en", context)
    assert "3 lines" in (three.text or "") and "Your very own line" not in (three.text or "")


@pytest.mark.parametrize("language", ["zh-HK", "zh-CN", "en"])
def test_support_replies_vary(language: str, context: ReplyContext) -> None:
    text = {"zh-HK": "輸到冇錢交租", "zh-CN": "输到没钱交租", "en": "lost my rent money again"}[language]
    seen = {respond(Comment(text, "fan", f"support-{n}"), context).text for n in range(120)}
    assert len(seen) >= 10


def test_no_mandarin_flavoured_cantonese(context: ReplyContext) -> None:
    from marksix.language.templates import WORDINGS
    from marksix.language.topic_replies import TEXTS

    wording = WORDINGS["zh-HK"]
    every = [t for ts in wording.intents.values() for t in ts] + [
        t for ts in TEXTS["zh-HK"].values() for t in ts
    ]
    every += [t for ts in wording.closings.values() for t in ts]
    for phrase in ("好替你擔心", "替你擔心", "暫停吓", "未嘗唔好", "我就回你"):
        assert not any(phrase in template for template in every), phrase


LABELLED = sorted(path.name for path in FIXTURES.glob("comments*.jsonl"))


@pytest.mark.parametrize("name", LABELLED)
def test_every_labelled_reply_carries_the_notice_and_fits(name: str, context: ReplyContext) -> None:
    """On a quiet day, tightly limited, and between sales close and the result."""
    closing_time = dt.datetime(2026, 8, 25, 13, 20, tzinfo=dt.UTC)  # 21:20 in Hong Kong
    contexts = [
        context,
        replace(context, max_chars=160),
        replace(context, now=closing_time, next_draw=next_scheduled_draw(closing_time)),
    ]
    for index, record in enumerate(load(FIXTURES / name)):
        for limited in contexts:
            reply = respond(Comment(record["text"], "fan_123", f"labelled-{index}"), limited)
            if reply.intent == "ignore":
                continue
            text = reply.text or ""
            assert "18+" in text and text.endswith("1834 633"), (record["text"], text)
            assert len(text) <= limited.max_chars, (record["text"], len(text))
            assert "Your the" not in text
