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
@json_option
def check(source_path: Path, translation_path: Path, glossary: Path | None, as_json: bool) -> None:
    """Check that a translation keeps every number, amount, percentage, date and name of its source.

    Exits 1 when any fact is missing or changed, or the commentary adds one.

    \b
    Examples:
      marksix article check --source story.txt --translation article.md
      marksix article check --source story.txt --translation zh.md --glossary names.yaml --json
    """
    from marksix.studio.checker import check as check_facts
    from marksix.studio.checker import split_article
    from marksix.studio.glossary import load_glossary
    from marksix.studio.sources import read_file

    source = read_file(source_path)
    translation, commentary = split_article(_read(translation_path))
    report = check_facts(
        source.full_text, translation, glossary=load_glossary(glossary), commentary=commentary
    )
    if as_json:
        emit_json(report.to_json())
    else:
        click.echo(format_report(report))
    if not report.ok:
        raise SystemExit(1)


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
