"""`marksix reply`: the reply the account would post to one comment."""

from __future__ import annotations

import hashlib

import click

from marksix.cli.output import emit_json, json_option

LANGUAGE_CHOICES = ("auto", "zh-HK", "zh-CN", "en")
#: Instagram's comment limit is 2,200 characters; at most 4 UTF-8 bytes each.
MAX_STDIN_BYTES = 4 * 2200


def comment_text(text: str) -> str:
    """TEXT itself, or standard input for "-"; bytes that are not UTF-8 are a clear error."""
    from marksix.errors import InputError

    if text == "-":
        raw = click.get_binary_stream("stdin").read(MAX_STDIN_BYTES + 1)
        if len(raw) > MAX_STDIN_BYTES:
            raise InputError(f"the comment on standard input is over {MAX_STDIN_BYTES:,} bytes")
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as problem:
            raise InputError(
                f"standard input is not UTF-8 text: byte 0x{raw[problem.start]:02x} at offset "
                f"{problem.start} cannot be read; save the comment as UTF-8"
            ) from None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as problem:
        # Python keeps undecodable argv bytes as lone surrogates U+DC80-U+DCFF (PEP 383).
        code = ord(text[problem.start])
        byte = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"character U+{code:04X}"
        raise InputError(
            f"TEXT is not UTF-8 text: {byte} at character {problem.start + 1} cannot be read; "
            "check the terminal's encoding, or pass the comment on standard input with '-'"
        ) from None
    return text


@click.command()
@click.argument("text")
@click.option("--username", "-u", default="you", show_default=True, help="The commenter's username.")
@click.option(
    "--comment-id",
    default=None,
    help="The comment's id (seeds the numbers). Default: a hash of TEXT, so runs repeat.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGE_CHOICES),
    default="auto",
    show_default=True,
    help="Answer language; auto follows the comment.",
)
@click.option("--max-chars", type=click.IntRange(80, 2200), default=None, help="Reply length limit.")
@click.option("--no-llm", is_flag=True, help="Never reword with the LLM, even when one is configured.")
@json_option
def reply(
    *,
    text: str,
    username: str,
    comment_id: str | None,
    lang: str,
    max_chars: int | None,
    no_llm: bool,
    as_json: bool,
) -> None:
    """Write the bot's reply to one Instagram comment (TEXT, or - to read it from standard input).

    Understands Cantonese, Mandarin and English (numbers to include or leave
    out, size, bankers, lines, hot/cold/balanced), and answers with the
    commenter's own combination for the next draw, real statistics, an honest
    line, 18+ and the help line. Reads MARKSIX_REPLY_SECRET and, when set,
    MARKSIX_LLM_BASE_URL / MARKSIX_LLM_MODEL / MARKSIX_LLM_API_KEY to reword
    the reply behind the numeric firewall.

    Crisis talk and a commenter under 18 never get numbers. --json keys:
    intent (one of pick, last_result, next_draw, check_ticket, odds, stats,
    help, support, ignore), topic (finer: crisis, minor, thanks, tier_odds,
    window, ...), language, request, tickets, reply, path, reason.

    \b
    Examples:
      marksix reply "俾組號碼我 要有8號 唔要4"
      marksix reply --username ah_ming "8做膽 3組 熱門"
      marksix reply "上期開咩號"
      marksix reply --lang en --json "when is the next draw?"
      marksix reply --json "你係咪AI嚟？"
      echo "下期買咩好" | marksix reply -
    """
    import datetime as dt

    from marksix.config import load_settings
    from marksix.draws.archive import DrawArchive
    from marksix.draws.popularity_model import shipped_model
    from marksix.language import Comment, ReplyContext, respond

    text = comment_text(text)
    settings = load_settings()
    archive = DrawArchive(settings.locator)
    now = dt.datetime.now(dt.UTC)
    reader = None
    if not no_llm and settings.llm_enabled:
        from marksix.llm import reader_from_settings

        reader = reader_from_settings(settings)
    context = ReplyContext(
        history=archive.history(),
        prizes=archive.prizes(),
        next_draw=archive.next_draw(now),
        now=now,
        popularity=shipped_model(),
        secret=settings.reply_secret.get_secret_value(),
        max_chars=max_chars or settings.reply_max_chars,
        language=lang,
        account_username=settings.ig_username,
        default_language=settings.default_language,
        reader=reader,
    )
    comment = Comment(
        text=text,
        username=username,
        comment_id=comment_id or hashlib.sha256(text.encode()).hexdigest()[:16],
    )
    answer = respond(comment, context)
    if not no_llm and settings.llm_enabled:
        from marksix.llm import config_from_settings, rephrase

        config = config_from_settings(settings)
        if config is not None:
            answer = rephrase(answer, comment, config)
    if as_json:
        emit_json(answer.to_json())
        return
    if answer.text is None:
        click.echo(f"(no reply: {answer.reason})")
        return
    click.echo(answer.text)
