"""The sandbox's draw control: `POST /sandbox/api/draw` runs the next draw now.

The draw is made on the simulated HKJC service only; it reaches the archive
the way a real result does, through the results poller (woken here), and the
answer waits a few seconds for that to happen. A draw made before its sales
would close (the sandbox does not wait for 21:15) closes them now: its ledger
freezes at this moment, and later lines belong to the next draw.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from marksix.domain.calendar import NextDraw

if TYPE_CHECKING:
    from marksix.autopilot.service import Autopilot
    from marksix.sandbox.hkjc_sim import SimulatedHkjc

router = APIRouter()
ARRIVAL_WAIT = 5.0


@router.post("/sandbox/api/draw", include_in_schema=False)
async def run_draw(request: Request) -> JSONResponse:
    simulated: SimulatedHkjc | None = getattr(request.app.state, "simulated_hkjc", None)
    autopilot: Autopilot | None = getattr(request.app.state, "autopilot", None)
    if simulated is None or autopilot is None:
        return JSONResponse({"error": "the draw control exists in the sandbox only"}, status_code=404)

    def draw_and_wait() -> dict[str, object]:
        drawn = simulated.run_next_draw()
        now = autopilot.clock()
        draw_date = dt.date.fromisoformat(str(drawn["draw_date"]))
        if now < NextDraw(date=draw_date).sales_close_at:
            autopilot.close_sales_now(draw_date, now)
        autopilot.poller.wake()
        deadline = time.monotonic() + ARRIVAL_WAIT
        while time.monotonic() < deadline and autopilot.latest_draw_id() != drawn["draw_id"]:
            time.sleep(0.05)
        return {**drawn, "archived": autopilot.latest_draw_id() == drawn["draw_id"]}

    return JSONResponse(await run_in_threadpool(draw_and_wait))
