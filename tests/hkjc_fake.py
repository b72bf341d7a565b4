"""A stand-in for HKJC's GraphQL endpoint, answering from the recorded
responses in tests/fixtures/hkjc: `marksixResult` gets the recorded records
whose draw date falls in the requested window, as the real service would."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

FIXTURES = Path(__file__).parent / "fixtures" / "hkjc"


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%Y%m%d").date()


@dataclass
class FakeHkjc:
    results: Any = field(default_factory=lambda: load_fixture("marksixResult_20260811_20260930.json"))
    next_draw: Any = field(default_factory=lambda: load_fixture("marksixDraw_20260906.json"))
    #: operationName -> (status, body) to answer instead, to inject failures
    failures: dict[str, tuple[int, Any]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, body: dict[str, Any]) -> tuple[int, Any]:
        self.requests.append(body)
        operation = body["operationName"]
        if operation in self.failures:
            return self.failures[operation]
        if operation == "marksixDraw":
            return 200, self.next_draw
        variables = body["variables"]
        start, end = _date(variables["startDate"]), _date(variables["endDate"])
        if (end - start).days > 92:
            return 200, {"errors": [{"message": "date range too long"}]}
        records = [
            record
            for record in self.results["data"]["lotteryDraws"]
            if start <= dt.date.fromisoformat(record["drawDate"][:10]) <= end
        ]
        return 200, {"data": {"lotteryDraws": records}}

    def handle(self, request: httpx.Request) -> httpx.Response:
        status, payload = self.answer(json.loads(request.content))
        return httpx.Response(status, json=payload)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)
