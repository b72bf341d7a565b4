"""`write`, stage by stage: read, translate, write the sections, check, draw the cover, save.

    source ─> chunks ─> LLM (translation, names) ─> LLM (headline, dek, brief, commentary)
                                 │
        faithfulness + HK usage checks ─> problems? ─ no ──> article.md, .html, cover.jpg, report.json
                                              └── yes: report.json only, unless accept_problems

An article with problems is not finished unless the operator accepts them;
then report.json says so (`accepted_problems`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from marksix.errors import InputError
from marksix.llm.client import LlmConfig
from marksix.studio import sources
from marksix.studio.checker import Problem, Report, check, new_facts, source_names
from marksix.studio.chunking import DEFAULT_CHUNK_CHARS, chunk_paragraphs
from marksix.studio.cover import (
    PipelineFactory,
    jpeg_bytes,
    render_card_cover,
    render_flux_cover,
    safe_prompt,
)
from marksix.studio.glossary import Glossary
from marksix.studio.hk_usage import check_usage
from marksix.studio.render import Credit, to_html, to_markdown
from marksix.studio.writing import BriefItem, Draft, translate_chunks, write_sections

STAGES = ("read", "translate", "write", "check", "cover", "save")
FLUX_MODEL_NAME = "FLUX"


@dataclass(frozen=True, slots=True)
class WriteOptions:
    image: str = "card"  # card or flux
    accept_problems: bool = False
    chunk_chars: int = DEFAULT_CHUNK_CHARS
    font_path: str | None = None
    flux_model: Path | None = None
    flux_factory: PipelineFactory | None = None


@dataclass
class WriteResult:
    out_dir: Path
    report: dict[str, Any]
    finished: bool
    files: list[str] = field(default_factory=list)


def brief_items(briefs: Sequence[str], *, transport: httpx.BaseTransport | None = None) -> list[BriefItem]:
    """Brief items from URLs (fetched) or short texts; "text | https://..." gives a text its link."""
    items: list[BriefItem] = []
    for brief in briefs:
        text, _, link = brief.partition(" | ")
        if sources.is_url(brief.strip()):
            document = sources.fetch(brief.strip(), transport=transport)
            items.append(BriefItem(document.full_text[:4000], document.url))
        elif text.strip():
            url = link.strip() if sources.is_url(link.strip()) else None
            items.append(BriefItem(text.strip(), url))
        else:
            raise InputError(f"empty brief item: {brief!r}")
    return items


def _usage_problems(text: str) -> list[Problem]:
    return [Problem("usage", None, usage.found, usage.detail) for usage in check_usage(text)]


def check_draft(document: sources.Document, draft: Draft, glossary: Glossary) -> Report:
    """Faithfulness of the story, headline and dek; brief items against their own sources; HK usage."""
    names = glossary.with_names(draft.names)
    story = f"{draft.headline}\n\n{draft.dek}\n\n{draft.translation}"
    report = check(document.full_text, story, glossary=names, commentary=draft.commentary)
    extra: list[Problem] = []
    for item in draft.brief:
        extra += [
            Problem("new_fact", None, problem.translation, f"brief item: {problem.detail}")
            for problem in new_facts(item.source_text, item.text, glossary=names)
        ]
    everything = "\n".join([story, draft.commentary, *(item.text for item in draft.brief)])
    extra += _usage_problems(everything)
    return Report(report.facts, report.problems + tuple(extra))


def write_article(
    document: sources.Document,
    briefs: Sequence[BriefItem],
    glossary: Glossary,
    config: LlmConfig,
    out_dir: Path,
    *,
    options: WriteOptions,
    http_client: httpx.Client | None = None,
    progress: Callable[[str, str], None] = lambda _stage, _message: None,
) -> WriteResult:
    """Write the article into `out_dir`; report.json always, the rest only when finished."""
    if options.image not in {"card", "flux"}:
        raise InputError(f"unknown image kind {options.image!r}; use card or flux")
    chunks = chunk_paragraphs(document.paragraphs, options.chunk_chars)
    if not chunks:
        raise InputError("the source has no paragraphs to translate")
    progress(
        "read", f"{len(document.paragraphs)} paragraphs in {len(chunks)} part(s), {len(briefs)} brief item(s)"
    )
    draft = translate_chunks(
        chunks,
        glossary,
        config,
        http_client=http_client,
        progress=lambda message: progress("translate", message),
    )
    progress("write", "headline, dek, brief and commentary")
    write_sections(draft, briefs, config, http_client=http_client)
    report = check_draft(document, draft, glossary)
    kept = sum(fact.status == "kept" for fact in report.facts)
    progress("check", f"{kept}/{len(report.facts)} facts kept, {len(report.problems)} problem(s)")
    finished = report.ok or options.accept_problems
    image_model = FLUX_MODEL_NAME if options.image == "flux" else None
    if options.image == "flux" and options.flux_model is not None:
        image_model = f"{FLUX_MODEL_NAME} ({options.flux_model.name})"
    credit = Credit(text_model=config.model, image_model=image_model)
    payload: dict[str, Any] = {
        **report.to_json(),
        "finished": finished,
        "accepted_problems": bool(options.accept_problems and not report.ok),
        "source": document.to_json(),
        "models": {"text": config.model, "image": image_model or "typographic card (Pillow)"},
        "names": draft.names,
        "parts": len(chunks),
        "llm_calls": draft.calls,
        "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    files = ["report.json"]
    if finished:
        progress("cover", "FLUX" if options.image == "flux" else "typographic card")
        if options.image == "flux":
            prompt = safe_prompt(draft.cover_prompt, source_names(document.full_text, glossary))
            payload["cover_prompt"] = prompt
            image = render_flux_cover(prompt, options.flux_model, pipeline_factory=options.flux_factory)
        else:
            image = render_card_cover(
                draft.headline, draft.key_figure, credit.line, font_path=options.font_path
            )
        (out_dir / "cover.jpg").write_bytes(jpeg_bytes(image))
        (out_dir / "article.md").write_text(to_markdown(draft, document, credit), encoding="utf-8")
        (out_dir / "article.html").write_text(to_html(draft, document, credit), encoding="utf-8")
        files = ["article.md", "article.html", "cover.jpg", "report.json"]
    (out_dir / "report.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    progress("save", f"{', '.join(files)} in {out_dir}")
    return WriteResult(out_dir=out_dir, report=payload, finished=finished, files=files)
