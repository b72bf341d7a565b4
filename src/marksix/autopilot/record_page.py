"""`/record`: the public, read-only record of every line the bot handed out.

No login: anyone can read the frozen ledgers, their commitments and how they
did against chance, and download a ledger to check it with
`marksix record verify`. Nothing here writes except the idempotent freeze
and settle steps (see record.refresh), which the page runs before reading.
"""

from __future__ import annotations

import datetime as dt
import json
from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from marksix.autopilot.record import record_json, refresh, sentences
from marksix.autopilot.record_chart import DrawPoint, record_chart
from marksix.autopilot.record_store import FrozenLedger, RecordRepository
from marksix.errors import NotFound

router = APIRouter()
HEADERS = {"Cache-Control": "no-cache", "X-Robots-Tag": "noarchive"}
CHART_LABEL = "Our lines against chance, per draw"


def _repository(request: Request) -> RecordRepository:
    from marksix.web.runtime import current_runtime

    runtime = current_runtime(request)
    return refresh(runtime.engine, runtime.settings.locator, dt.datetime.now(dt.UTC))


def chart_points(ledgers: list[FrozenLedger]) -> list[DrawPoint]:
    points = []
    for ledger in ledgers:
        if ledger.settlement is None:
            continue
        winning = sum(int(count) for count in ledger.settlement["by_tier"].values())
        points.append(DrawPoint(ledger.draw_id or ledger.draw_date.isoformat(), ledger.lines, winning))
    return points


def render_record(ledgers: list[FrozenLedger]) -> str:
    newest_first = list(reversed(ledgers))
    sections = []
    for ledger in newest_first:
        key = ledger.draw_id or ledger.draw_date.isoformat()
        text = " ".join(escape(sentence) for sentence in sentences(ledger))
        result = ""
        if ledger.settlement is not None:
            numbers = " ".join(f"{number:02d}" for number in ledger.settlement["numbers"])
            result = f"<p class='result'>Result: {numbers} + {ledger.settlement['extra']:02d}</p>"
        sections.append(
            f"<section class='draw' id='draw-{escape(ledger.draw_date.isoformat())}'>"
            f"<h2>{escape(ledger.label)} · {escape(ledger.draw_date.isoformat())}</h2>{result}<p>{text}</p>"
            f"<p class='commitment'>Frozen {ledger.frozen_at:%Y-%m-%d %H:%M} UTC · SHA-256 "
            f"<code>{escape(ledger.commitment)}</code> · "
            f"<a href='/record/ledger/{escape(ledger.draw_date.isoformat())}.json' download>ledger</a></p>"
            f"<!-- {escape(key)} --></section>"
        )
    chart = record_chart(chart_points(ledgers), label=CHART_LABEL)
    body = (
        "".join(sections)
        or "<p>No ledger is frozen yet: the first freezes at 21:15 on the next draw day.</p>"
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>marksix · the public record</title><link rel='stylesheet' href='/static/style.css'></head>"
        "<body class='record'><main><h1>The public record</h1>"
        "<p>Every line our bot handed out, frozen when sales close (21:15 Hong Kong time) with a SHA-256 "
        "commitment, then set beside the result and beside what random play gives for that many lines. "
        "Lines handed out after sales close belong to the next draw. Download a ledger and run "
        "<code>marksix record verify FILE</code> to check that nothing changed after the draw.</p>"
        f"<figure>{chart}</figure>{body}"
        "<p class='footer'>Draws are random: every line has the same chance. "
        "18+ only. Help with gambling problems: 平和基金 1834 633.</p></main></body></html>"
    )


@router.get("/record", response_class=HTMLResponse, include_in_schema=False)
async def record_page(request: Request) -> HTMLResponse:
    def build() -> str:
        return render_record(_repository(request).all())

    return HTMLResponse(await run_in_threadpool(build), headers=HEADERS)


@router.get("/record.json", include_in_schema=False)
async def record_list(request: Request) -> JSONResponse:
    def build() -> list[dict[str, Any]]:
        return [record_json(ledger) for ledger in _repository(request).all()]

    return JSONResponse(await run_in_threadpool(build), headers=HEADERS)


@router.get("/record/chart.svg", include_in_schema=False)
async def record_svg(request: Request) -> Response:
    def build() -> str:
        return record_chart(chart_points(_repository(request).all()), label=CHART_LABEL)

    return Response(await run_in_threadpool(build), media_type="image/svg+xml", headers=HEADERS)


@router.get("/record/ledger/{draw_date}.json", include_in_schema=False)
async def record_ledger(request: Request, draw_date: str) -> Response:
    def build() -> FrozenLedger | None:
        try:
            dt.date.fromisoformat(draw_date)
            return _repository(request).get(draw_date)
        except (ValueError, NotFound):
            return None

    ledger = await run_in_threadpool(build)
    if ledger is None:
        return JSONResponse({"error": f"no frozen ledger for {draw_date!r}"}, status_code=404)
    text = json.dumps(ledger.export(), ensure_ascii=False, indent=2, sort_keys=True)
    return Response(text, media_type="application/json", headers=HEADERS)
