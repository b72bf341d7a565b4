"""`marksix article`: write a Hong Kong Chinese post from a source article, and check its facts."""

from __future__ import annotations

from pathlib import Path

import click

from marksix.cli.output import emit_json, json_option


@click.group()
def article() -> None:
    """Article studio: an English story in, a faithful Hong Kong Chinese post out.

    \b
    Examples:
      marksix article check --source story.txt --translation article.md
      marksix article check --source story.html --translation zh.md --glossary names.yaml --json
      marksix article write https://example.com/story -o out/ --brief "Other news, one line"
      marksix article write story.md -o out/ --glossary names.yaml --image card
      marksix article post out/ --public-url https://bot.example.hk
    """


def _glossary_option(function: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--glossary",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help="YAML: source name -> rendering(s), e.g. 'Mark Zuckerberg: [馬克·祖克伯格, 祖克伯格]'.",
    )(function)


@article.command()
@click.option(
    "--source",
    "source_path",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The English source: HTML, Markdown or text.",
)
@click.option(
    "--translation",
    "translation_path",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The Chinese text; an article.md from `write` is split into story and commentary.",
)
@_glossary_option
@click.option(
    "--names",
    "names_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The report.json of `article write`: the names the writer chose count as renderings.",
)
@json_option
def check(
    *,
    source_path: Path,
    translation_path: Path,
    glossary: Path | None,
    names_path: Path | None,
    as_json: bool,
) -> None:
    """Check that a translation keeps every number, amount, percentage, date and name of its source.

    Exits 1 when any fact is missing or changed, or the commentary adds one.
    --json prints {"ok", "facts": [{"kind", "source", "status", "translation"}],
    "problems": [{"kind", "source", "translation", "detail"}]}; kind is number, money,
    percent, date or name; status is kept, missing or changed; a problem's kind is
    missing, changed, added (a figure the source lacks), new_fact (in the commentary) or
    first_mention (a short glossary form before the full one); `write` adds usage.

    \b
    Examples:
      marksix article check --source story.txt --translation article.md
      marksix article check --source story.txt --translation zh.md --glossary names.yaml --json
      marksix article check --source story.md --translation out/article.md --names out/report.json
    """
    from marksix.studio.checker import check as check_facts
    from marksix.studio.checker import split_article
    from marksix.studio.glossary import load_glossary
    from marksix.studio.sources import read_file

    source = read_file(source_path)
    translation, commentary = split_article(_read(translation_path))
    terms = load_glossary(glossary).with_names(_reported_names(names_path))
    report = check_facts(source.full_text, translation, glossary=terms, commentary=commentary)
    if as_json:
        emit_json(report.to_json())
    else:
        click.echo(format_report(report))
    if not report.ok:
        raise SystemExit(1)


@article.command()
@click.argument("source")
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for article.md, article.html, cover.jpg and report.json"
    " (default: <data folder>/articles/<time>, which the dashboard lists).",
)
@click.option(
    "--brief",
    "briefs",
    multiple=True,
    metavar="URL_OR_TEXT",
    help='A news-brief item: a URL, or a short text ("text | https://link" gives it a link). Repeatable.',
)
@_glossary_option
@click.option(
    "--image", type=click.Choice(["card", "flux"]), default="card", show_default=True, help="Cover kind."
)
@click.option(
    "--flux-model",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Local folder of FLUX weights for --image flux (never downloaded);"
    " default: the flux_model setting (MARKSIX_FLUX_MODEL).",
)
@click.option(
    "--font",
    type=click.Path(dir_okay=False, exists=True),
    help="A CJK font file for the card cover; default: the card_font setting (MARKSIX_CARD_FONT),"
    " else Noto Sans CJK when installed.",
)
@click.option(
    "--accept-problems", is_flag=True, help="Finish even if the checks found problems (report.json says so)."
)
@click.option(
    "--chunk-chars",
    type=click.IntRange(min=500),
    default=9000,
    show_default=True,
    help="Longest part sent at once.",
)
@click.option(
    "--timeout", type=click.FloatRange(min=1), default=120.0, show_default=True, help="Seconds per LLM call."
)
@json_option
def write(
    *,
    source: str,
    out_dir: Path | None,
    briefs: tuple[str, ...],
    glossary: Path | None,
    image: str,
    flux_model: Path | None,
    font: str | None,
    accept_problems: bool,
    chunk_chars: int,
    timeout: float,
    as_json: bool,
) -> None:
    """Translate and rewrite SOURCE (a URL, an HTML/Markdown/text file, or - for stdin) as a Hong Kong
    Chinese post, check every fact, and draw its cover.

    Uses the OpenAI-compatible endpoint of MARKSIX_LLM_BASE_URL and MARKSIX_LLM_MODEL
    (MARKSIX_LLM_API_KEY if it needs one). With problems it writes only report.json and exits 1,
    unless --accept-problems. --json prints {"finished", "files", "report"}, where report is
    report.json: the check's keys plus finished, accepted_problems, source, models, names.

    \b
    Examples:
      marksix article write story.md -o out/
      marksix article write https://example.com/story -o out/ --brief https://example.com/other
      marksix article write - -o out/ --glossary names.yaml --brief "Nvidia ships H200 | https://x.y/z"
    """
    import dataclasses

    from marksix.cli.output import setting_file
    from marksix.config import load_settings
    from marksix.errors import ConfigError
    from marksix.llm import config_from_settings
    from marksix.studio import sources
    from marksix.studio.glossary import load_glossary
    from marksix.studio.pipeline import STAGES, WriteOptions, brief_items, write_article

    settings = load_settings()
    if out_dir is None:
        import datetime as dt

        out_dir = settings.locator.articles_folder / dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    config = config_from_settings(settings)
    if config is None:
        raise ConfigError("article write needs an LLM: set MARKSIX_LLM_BASE_URL and MARKSIX_LLM_MODEL")
    # Replies must be quick (MARKSIX_LLM_TIMEOUT_SECONDS); an article part takes minutes.
    config = dataclasses.replace(config, timeout=timeout)
    terms = load_glossary(glossary)

    def progress(stage: str, message: str) -> None:
        number = STAGES.index(stage) + 1
        click.echo(f"[{number}/{len(STAGES)}] {stage}: {message}", err=True)

    stdin_text = click.get_text_stream("stdin").read() if source == "-" else None
    document = sources.load(source, stdin_text=stdin_text)
    items = brief_items(briefs)
    options = WriteOptions(
        image=image,
        accept_problems=accept_problems,
        chunk_chars=chunk_chars,
        font_path=font or setting_file(settings.card_font, "MARKSIX_CARD_FONT"),
        flux_model=flux_model or settings.flux_model,
    )
    result = write_article(document, items, terms, config, out_dir, options=options, progress=progress)
    if as_json:
        emit_json({"finished": result.finished, "files": result.files, "report": result.report})
    else:
        for problem in result.report["problems"]:
            click.echo(f"  PROBLEM  {problem['kind']}: {problem['detail']}")
        if result.finished:
            note = " (problems accepted)" if result.report["accepted_problems"] else ""
            click.echo(f"Wrote {', '.join(result.files)} to {out_dir}{note}")
        else:
            click.echo(
                f"Not finished: {len(result.report['problems'])} problem(s); see {out_dir / 'report.json'}."
                " Fix the source or glossary, or pass --accept-problems.",
                err=True,
            )
    if not result.finished:
        raise SystemExit(1)


@article.command()
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--wordpress", "site_url", required=True, metavar="URL", help="The site, e.g. https://blog.example.hk"
)
@click.option(
    "--user", "username", required=True, help="The WordPress user the application password belongs to."
)
@click.option(
    "--status",
    type=click.Choice(["draft", "publish", "pending", "private"]),
    default="draft",
    show_default=True,
    help="The new post's status.",
)
@json_option
def publish(*, folder: Path, site_url: str, username: str, status: str, as_json: bool) -> None:
    """Publish a finished article FOLDER to WordPress: the cover as featured image, the post as a draft.

    The application password is read from MARKSIX_WORDPRESS_APP_PASSWORD (environment or .env)
    and never printed.

    \b
    Examples:
      marksix article publish out/ --wordpress https://blog.example.hk --user editor
      marksix article publish out/ --wordpress https://blog.example.hk --user editor --status publish
    """
    from marksix.config import load_settings
    from marksix.errors import ConfigError
    from marksix.studio.wordpress import WordPressSite, publish_article

    secret = load_settings().wordpress_app_password
    password = secret.get_secret_value().strip() if secret is not None else ""
    if not password:
        raise ConfigError("set MARKSIX_WORDPRESS_APP_PASSWORD to a WordPress application password")
    published = publish_article(WordPressSite(site_url, username, password), folder, status=status)
    if as_json:
        emit_json({"post_id": published.post_id, "link": published.link, "media_id": published.media_id})
    else:
        click.echo(f"Created WordPress post {published.post_id} ({status}): {published.link}")


@article.command()
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--account",
    "account_id",
    default=None,
    metavar="ID",
    help="The Instagram user id to post on, one the configured token may publish on"
    " (default: MARKSIX_IG_USER_ID).",
)
@click.option(
    "--public-url",
    default=None,
    help="The public https address of `marksix serve`, which serves the cover to Instagram "
    "(default: the public_url setting, MARKSIX_PUBLIC_URL).",
)
@json_option
def post(*, folder: Path, account_id: str | None, public_url: str | None, as_json: bool) -> None:
    """Post a finished article FOLDER to Instagram: its cover.jpg and a short caption.

    The caption is the headline, the dek, the source link and the credit line (an article
    about Mark Six or gambling also gets the 18+ / help-line footer), within Instagram's
    2,200 characters. The cover must be a JPEG; a PNG is refused. It goes through the same
    publishing flow as `marksix post publish`: saved under the data folder's media/cards/,
    which `marksix serve` serves to Instagram. Needs MARKSIX_IG_ACCESS_TOKEN.
    --json prints {"media_id", "image_url", "file", "caption"}.

    \b
    Examples:
      marksix article post out/ --public-url https://bot.example.hk
      marksix article post ~/.local/share/marksix/articles/20261201-220000 --account 17841400000000001 --json
    """
    import datetime as dt

    from marksix.cli.post import publish_rendered, publishing_client
    from marksix.studio.caption import article_post

    post_of_article = article_post(folder)
    with publishing_client(public_url, account_id) as (client, settings, user_id, url):
        result = publish_rendered(
            post_of_article,
            client,
            user_id,
            home=settings.locator.home,
            public_url=url,
            now=dt.datetime.now(dt.UTC),
        )
    if as_json:
        emit_json({**result, "caption": post_of_article.caption})
        return
    click.echo(f"Published media {result['media_id']}")
    click.echo(f"Image: {result['image_url']}")


def _reported_names(path: Path | None) -> dict[str, str]:
    import json

    from marksix.errors import InputError

    if path is None:
        return {}
    try:
        names = json.loads(_read(path)).get("names", {})
    except (json.JSONDecodeError, AttributeError):
        raise InputError(f"{path} is not a report.json written by `marksix article write`") from None
    if not isinstance(names, dict):
        raise InputError(f"{path}: 'names' must map source names to renderings")
    return {str(source): str(rendering) for source, rendering in names.items()}


def _read(path: Path) -> str:
    from marksix.errors import InputError

    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {path}: {error}") from None


def format_report(report: object) -> str:
    from marksix.studio.checker import Report

    if not isinstance(report, Report):
        raise TypeError("not a faithfulness report")
    lines = []
    for fact in report.facts:
        shown = f" -> {fact.translation}" if fact.translation else ""
        lines.append(f"  {fact.status:<8} {fact.kind:<8} {fact.source}{shown}")
    for problem in report.problems:
        lines.append(f"  PROBLEM  {problem.kind}: {problem.detail}")
    kept = sum(fact.status == "kept" for fact in report.facts)
    verdict = "OK" if report.ok else f"{len(report.problems)} problem(s)"
    lines.append(f"{kept}/{len(report.facts)} facts kept; {verdict}")
    return "\n".join(lines)
