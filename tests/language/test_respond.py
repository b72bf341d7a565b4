"""respond(): the template path end to end, one behaviour per test."""

from __future__ import annotations

from dataclasses import replace

from marksix.domain.colours import COLOUR_NAMES, colour_of
from marksix.language import Comment, ReplyContext, respond


def test_pick_is_the_default_and_shows_coloured_balls_stats_honesty_and_footer(context: ReplyContext) -> None:
    reply = respond(Comment("想中頭獎!", "ah_ming", "c1"), context)
    assert reply.intent == "pick"
    assert reply.language == "zh-HK"
    assert reply.path == "template"
    assert reply.text is not None
    assert reply.text.startswith("@ah_ming ")
    (ticket,) = reply.tickets
    assert len(ticket) == 6 and list(ticket) == sorted(ticket)
    for number in ticket:
        assert f"{COLOUR_NAMES[colour_of(number)]['emoji']}{number:02d}" in reply.text
    assert "近100期" in reply.text and "12.2" in reply.text
    assert "18+" in reply.text and "1834 633" in reply.text


def test_same_comment_same_reply_and_other_commenters_get_other_numbers(context: ReplyContext) -> None:
    first = respond(Comment("俾組號碼我", "a", "17890000000000001"), context)
    again = respond(Comment("俾組號碼我", "a", "17890000000000001"), context)
    assert first == again
    others = {tuple(respond(Comment("俾組號碼我", "a", f"1789{n}"), context).tickets[0]) for n in range(40)}
    assert len(others) == 40


def test_a_different_secret_or_draw_changes_the_numbers(context: ReplyContext) -> None:
    comment = Comment("🙏", "a", "42")
    base = respond(comment, context).tickets
    assert respond(comment, replace(context, secret="another")).tickets != base
    later = replace(context, next_draw=replace(context.next_draw, draw_id="26/094"))
    assert respond(comment, later).tickets != base


def test_parameters_are_honoured(context: ReplyContext) -> None:
    reply = respond(Comment("要有8號, 加埋18, 唔要4同13, 3組, 7個號複式", "a", "p"), context)
    assert reply.request["include"] == [8, 18]
    assert reply.request["exclude"] == [4, 13]
    assert len(reply.tickets) == 3
    for ticket in reply.tickets:
        assert len(ticket) == 7
        assert {8, 18} <= set(ticket)
        assert not {4, 13} & set(ticket)


def test_bankers_appear_in_every_line_and_are_labelled(context: ReplyContext) -> None:
    reply = respond(Comment("8做膽 2組", "a", "b"), context)
    assert reply.request["bankers"] == [8]
    assert all(8 in ticket and len(ticket) == 7 for ticket in reply.tickets)
    assert reply.text is not None and reply.text.count("膽 🔴08") == 2


def test_out_of_range_numbers_are_named_not_dropped_silently(context: ReplyContext) -> None:
    reply = respond(Comment("要有50號同0號", "a", "x"), context)
    assert reply.text is not None
    assert "50" in reply.text and "0" in reply.text and "唔係六合彩號碼" in reply.text
    assert all(50 not in ticket and 0 not in ticket for ticket in reply.tickets)


def test_a_phone_number_in_a_comment_is_never_repeated(context: ReplyContext) -> None:
    reply = respond(Comment("要有 98765432 同 8", "a", "x"), context)
    assert reply.text is not None
    assert "98765432" not in reply.text
    assert "唔係六合彩號碼" in reply.text


def test_own_comments_links_and_empty_text_are_ignored(context: ReplyContext) -> None:
    own = respond(Comment("多謝支持！", "marksix.bot", "1"), context)
    link = respond(Comment("免費貼士 http://x.example.com", "b", "2"), context)
    empty = respond(Comment("   ", "c", "3"), context)
    for reply in (own, link, empty):
        assert reply.intent == "ignore"
        assert reply.text is None
        assert reply.path == "none"
        assert reply.reason


def test_support_gives_no_numbers_but_the_help_line(context: ReplyContext) -> None:
    reply = respond(Comment("輸晒啦 仲借錢買", "a", "s"), context)
    assert reply.intent == "support"
    assert reply.tickets == []
    assert reply.text is not None and "1834 633" in reply.text and "平和基金" in reply.text


def test_check_ticket_against_the_latest_draw(context: ReplyContext) -> None:
    latest = context.history.latest
    numbers = " ".join(str(n) for n in latest.numbers)
    reply = respond(Comment(f"我買咗 {numbers} 中咗未", "a", "t"), context)
    assert reply.intent == "check_ticket"
    assert reply.request["ticket"] == list(latest.numbers)
    assert reply.text is not None and "頭獎" in reply.text


def test_check_ticket_against_a_named_draw(context: ReplyContext) -> None:
    draw = context.history.get("12/110")
    numbers = " ".join(str(n) for n in draw.numbers[:3]) + " 1 4 5"
    reply = respond(Comment(f"12/110 我買咗 {numbers} 中咗未", "a", "t"), context)
    assert reply.intent == "check_ticket"
    assert reply.text is not None and "12/110" in reply.text


def test_next_draw_gives_date_closing_and_draw_time(context: ReplyContext) -> None:
    reply = respond(Comment("下期幾時攪珠?", "a", "n"), context)
    assert reply.intent == "next_draw"
    assert reply.text is not None
    assert "8月25日" in reply.text and "21:15" in reply.text and "21:30" in reply.text


def test_snowball_and_jackpot_are_mentioned_when_known(context: ReplyContext) -> None:
    announced = replace(
        context.next_draw, snowball_name="中秋金多寶", estimated_first_prize=38_000_000, announced=True
    )
    reply = respond(Comment("下期幾時攪珠", "a", "n"), replace(context, next_draw=announced))
    assert reply.text is not None and "中秋金多寶" in reply.text and "38,000,000" in reply.text


def test_replies_follow_the_commenters_language(context: ReplyContext) -> None:
    assert respond(Comment("给我一组号码吧", "a", "1"), context).language == "zh-CN"
    english = respond(Comment("next draw numbers pls", "a", "2"), context)
    assert english.language == "en" and english.text is not None and "Ping Wo Fund" in english.text
    forced = respond(Comment("俾組號碼我", "a", "3"), replace(context, language="en"))
    assert forced.language == "en"


def test_emoji_only_uses_the_default_language(context: ReplyContext) -> None:
    assert respond(Comment("🙏🙏", "a", "1"), context).language == "zh-HK"
    assert respond(Comment("🙏🙏", "a", "1"), replace(context, default_language="en")).language == "en"


def test_to_json_has_the_stable_keys(context: ReplyContext) -> None:
    payload = respond(Comment("3組 熱門", "a", "1"), context).to_json()
    assert set(payload) == {"intent", "topic", "language", "request", "tickets", "reply", "path", "reason"}
    assert set(payload["request"]) == {"include", "exclude", "size", "bankers", "lines", "strategy", "ticket"}
    assert payload["request"]["strategy"] == "hot"
    assert all(isinstance(ticket, list) for ticket in payload["tickets"])


def test_an_empty_history_still_gets_answers(context: ReplyContext) -> None:
    from marksix.domain.draws import DrawHistory

    empty = replace(context, history=DrawHistory([]), prizes={})
    for text in ("熱門 3組", "上期開咩號", "8號出咗幾多次", "我買咗 1 2 3 4 5 6 中咗未", "幾時攪珠"):
        reply = respond(Comment(text, "a", "e"), empty)
        assert reply.text is not None and reply.text.endswith("1834 633"), text
    assert len(respond(Comment("熱門 3組", "a", "e"), empty).tickets) == 3


def test_out_of_range_numbers_are_named_in_ticket_checks_and_stats_too(context: ReplyContext) -> None:
    check = respond(Comment("我買咗 3 8 12 25 33 50 中咗未", "a", "v"), context)
    assert check.intent == "check_ticket"
    assert check.text is not None and "50唔係六合彩號碼" in check.text and "5個有效號碼" in check.text
    stats = respond(Comment("50號出咗幾多次", "a", "w"), context)
    assert stats.intent == "stats" and stats.text is not None and "50唔係六合彩號碼" in stats.text


def test_multiple_and_banker_picks_say_what_they_cost(context: ReplyContext) -> None:
    multiple = respond(Comment("7個號複式 2組", "a", "m"), context)
    assert multiple.text is not None and "每組7注，合共 HK$140" in multiple.text
    banker = respond(Comment("8膽拖6", "a", "b"), context)
    assert banker.request["bankers"] == [8] and banker.request["size"] == 7
    assert banker.text is not None and "每組6注，合共 HK$60" in banker.text
