"""`marksix post`: render the draw-day post card, and publish it to Instagram."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from marksix.cli.output import emit_json, json_option

if TYPE_CHECKING:
    from marksix.card.drawing import CardImage
    from marksix.config import Settings
    from marksix.domain.calendar import NextDraw
    from marksix.instagram.graph import GraphClient
    from marksix.publishing import Publishable


@click.group()
def post() -> None:
    """Render and publish the draw-day post card (1080×1080 PNG + Cantonese caption).

    \b
    Examples:
      marksix post card -o card.jpg
      marksix post card --draw 2026-08-27 -o card.jpg --caption-out caption.txt
      marksix post publish --public-url https://bot.example.hk
    """


def _draw_option(function: Any) -> Any:
    return click.option(
        "--draw",
        "draw",
        default="next",
        show_default=True,
        metavar="next|YYYY-MM-DD",
        help="The draw the card announces: the next one, or a draw date.",
    )(function)


def _font_option(function: Any) -> Any:
    return click.option(
        "--font",
        type=click.Path(dir_okay=False, exists=True),
        help="A CJK font file (.ttc/.otf); default: the card_font setting (MARKSIX_CARD_FONT),"
        " else Noto Sans CJK when installed.",
    )(function)


def _next_draw(draw: str, home: Path, database_url: str | None, now: dt.datetime) -> NextDraw:
    from marksix.domain.calendar import DRAW_WEEKDAYS, NextDraw
    from marksix.errors import InputError
    from marksix.web.dashboard.data import current_next_draw

    if draw == "next":
        return current_next_draw(home, now, database_url)
    try:
        day = dt.date.fromisoformat(draw)
    except ValueError:
        raise InputError(f"--draw must be 'next' or a date like 2026-08-27, not {draw!r}") from None
    if day < now.date():
        raise InputError(f"--draw {draw} is in the past; the card announces an upcoming draw")
    announced = current_next_draw(home, now, database_url)
    if announced.date == day:
        return announced
    if day.weekday() not in DRAW_WEEKDAYS:
        click.echo(f"Note: {draw} is not a regular draw day (Tue/Thu/Sat); using it as given.", err=True)
    return NextDraw(date=day)


def render_for(draw: str, font: str | None, now: dt.datetime) -> CardImage:
    from marksix.card.content import card_content
    from marksix.card.drawing import render_card
    from marksix.cli.output import setting_file
    from marksix.config import load_settings
    from marksix.draws.archive import load_history

    settings = load_settings()
    data_home = settings.locator.home
    next_draw = _next_draw(draw, data_home, settings.database_url, now)
    history = load_history(data_home, settings.database_url)
    font = font or setting_file(settings.card_font, "MARKSIX_CARD_FONT")
    return render_card(card_content(history, next_draw), font_path=font)


@post.command()
@_draw_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=Path("card.jpg"),
    show_default=True,
    help="Where to write the card: .jpg is the JPEG Instagram publishes, .png a PNG.",
)
@click.option(
    "--caption-out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the caption to this file.",
)
@_font_option
@json_option
def card(draw: str, output: Path, caption_out: Path | None, font: str | None, as_json: bool) -> None:
    """Render the 1080×1080 post card for a draw, and print its caption.

    The card shows the draw's date and time, the jackpot or Snowball when
    HKJC has announced it, the last result in HKJC's ball colours, a
    statistics teaser and the 18+ / help-line footer.

    \b
    Examples:
      marksix post card -o card.jpg
      marksix post card --draw 2026-08-27 -o thursday.png --json
    """
    rendered = render_for(draw, font, dt.datetime.now(dt.UTC))
    rendered.save(output)
    if caption_out is not None:
        caption_out.write_text(rendered.caption + "\n", encoding="utf-8")
    if rendered.warning:
        click.echo(f"Warning: {rendered.warning}", err=True)
    if as_json:
        emit_json(
            {
                "file": str(output),
                "width": rendered.image.width,
                "height": rendered.image.height,
                "language": rendered.language,
                "caption": rendered.caption,
                "content": rendered.content.to_json() if rendered.content else None,
            }
        )
        return
    click.echo(f"Wrote {output} ({rendered.image.width}×{rendered.image.height}, {rendered.language})")
    click.echo()
    click.echo(rendered.caption)


@contextmanager
def publishing_client(
    public_url: str | None, account_id: str | None
) -> Iterator[tuple[GraphClient, Settings, str, str]]:
    """(Graph client, settings, account id, public URL) for publishing from the command line,
    each checked with a clear error; the client is closed afterwards."""
    from marksix.config import load_settings
    from marksix.errors import ConfigError
    from marksix.instagram.graph import GraphClient

    settings = load_settings()
    public_url = public_url or settings.public_url
    if not public_url:
        raise ConfigError("publishing needs the server's public URL: --public-url or MARKSIX_PUBLIC_URL")
    if not public_url.startswith(("http://", "https://")):
        raise click.BadParameter(
            "must start with https:// (or http:// for a local test)", param_hint="--public-url"
        )
    user_id = account_id or settings.ig_user_id
    if settings.ig_access_token is None or not user_id:
        raise ConfigError(
            "publishing needs MARKSIX_IG_ACCESS_TOKEN and MARKSIX_IG_USER_ID (environment or .env)"
        )
    client = GraphClient(
        settings.ig_access_token.get_secret_value(),
        host=settings.graph_host,
        api_version=settings.graph_api_version,
    )
    try:
        yield client, settings, user_id, public_url
    finally:
        client.close()


def publish_rendered(
    rendered: Publishable,
    client: GraphClient,
    ig_user_id: str,
    *,
    home: Path,
    public_url: str,
    now: dt.datetime,
) -> dict[str, str]:
    """The shared publish flow (marksix.publishing.publish_card), as the JSON these commands print."""
    from marksix.publishing import publish_card

    published = publish_card(rendered, client, ig_user_id, home=home, public_url=public_url, now=now)
    return {key: str(value) for key, value in published.to_json().items()}


@post.command()
@_draw_option
@click.option(
    "--public-url",
    default=None,
    help="The public https address of `marksix serve`, which serves the image to Instagram "
    "(default: the public_url setting, MARKSIX_PUBLIC_URL).",
)
@_font_option
@json_option
def publish(draw: str, public_url: str | None, font: str | None, as_json: bool) -> None:
    """Render the card and publish it as a post on the configured account.

    The JPEG is saved under the data folder's media/cards/, which `marksix
    serve` serves at <public-url>/media/cards/<file>.jpg; Instagram fetches it
    from there (create a media container, then publish it). Needs
    MARKSIX_IG_ACCESS_TOKEN and MARKSIX_IG_USER_ID.

    \b
    Examples:
      marksix post publish --public-url https://bot.example.hk
      MARKSIX_PUBLIC_URL=https://bot.example.hk marksix post publish --json
    """
    now = dt.datetime.now(dt.UTC)
    with publishing_client(public_url, None) as (client, settings, user_id, url):
        rendered = render_for(draw, font, now)
        result = publish_rendered(
            rendered, client, user_id, home=settings.locator.home, public_url=url, now=now
        )
    if as_json:
        emit_json({**result, "caption": rendered.caption})
        return
    click.echo(f"Published media {result['media_id']}")
    click.echo(f"Image: {result['image_url']}")
