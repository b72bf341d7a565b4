"""Scoring a labelled comment file: intent, language and parameter accuracy, per intent.

Each record gives the text, the expected intent and (optionally) language and
parameters; parameters not given are expected at their defaults. Used by the
corpus tests, and runnable on its own to see every figure and miss:

    .venv/bin/python tests/language/corpus_score.py tests/fixtures/comments_dev.jsonl

Score comments_holdout.jsonl with --quiet: its misses are not for reading.
Rules are generalised on comments_dev.jsonl; the held-out figure is only
honest while nobody tunes on its individual failures.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marksix.language import Comment, ReplyContext, respond

FIXTURES = Path(__file__).parent.parent / "fixtures"
PICK_DEFAULTS: dict[str, Any] = {
    "include": [],
    "exclude": [],
    "size": 6,
    "bankers": [],
    "lines": 1,
    "strategy": "random",
    "ticket": None,
}


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Score:
    total: int = 0
    intent_right: int = 0
    language_right: int = 0
    language_total: int = 0
    parameters_right: int = 0
    parameters_total: int = 0
    #: Comments labelled otherwise but answered as support (no numbers for them).
    false_support: int = 0
    #: Per expected intent: how many records, and how many were classified right.
    by_intent: Counter[str] = field(default_factory=Counter)
    by_intent_right: Counter[str] = field(default_factory=Counter)
    #: Per labelled topic: how many records, right intent, right topic (when the reply has one).
    by_topic: Counter[str] = field(default_factory=Counter)
    by_topic_intent_right: Counter[str] = field(default_factory=Counter)
    by_topic_right: Counter[str] = field(default_factory=Counter)
    #: Crisis and minor comments (by topic) whose reply carried numbers: must stay 0.
    unsafe_numbers: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def intent(self) -> float:
        return self.intent_right / self.total

    @property
    def language(self) -> float:
        return self.language_right / self.language_total

    @property
    def parameters(self) -> float:
        return self.parameters_right / self.parameters_total

    def recall(self, intent: str) -> float:
        return self.by_intent_right[intent] / self.by_intent[intent]

    def lines(self, name: str) -> list[str]:
        summary = (
            f"{name} {self.total}: intent {self.intent:.1%}, "
            f"language {self.language:.1%} ({self.language_total}), "
            f"parameters {self.parameters:.1%} ({self.parameters_total})"
        )
        counts = sorted(self.by_intent.items())
        per_intent = ", ".join(f"{intent} {self.by_intent_right[intent]}/{count}" for intent, count in counts)
        lines = [summary, f"  per intent: {per_intent}; taken for support wrongly: {self.false_support}"]
        if self.by_topic:
            per_topic = ", ".join(
                f"{topic} {self.by_topic_intent_right[topic]}/{self.by_topic_right[topic]}/{count}"
                for topic, count in sorted(self.by_topic.items())
            )
            topic_right = sum(self.by_topic_right.values())
            lines.append(
                f"  topic {topic_right / self.total:.1%}; per topic (intent/topic right of n): {per_topic}"
            )
            lines.append(f"  crisis or minor comments given numbers: {len(self.unsafe_numbers)}")
        return lines


def expected_request(record: dict[str, Any]) -> dict[str, Any]:
    expected = dict(PICK_DEFAULTS)
    if record["intent"] == "check_ticket":
        expected = {key: None if key in ("size", "lines", "strategy") else [] for key in PICK_DEFAULTS}
        expected["ticket"] = record.get("ticket")
    for key in PICK_DEFAULTS:
        if key in record:
            expected[key] = record[key]
    return expected


def comparable(request: dict[str, Any], intent: str) -> dict[str, Any]:
    shown = {key: request[key] for key in PICK_DEFAULTS}
    if intent == "check_ticket":
        # A ticket check reads the ticket; the include list is its raw form.
        shown["include"] = []
    return {key: sorted(value) if isinstance(value, list) else value for key, value in shown.items()}


def score(records: list[dict[str, Any]], context: ReplyContext) -> Score:
    result = Score(total=len(records))
    for index, record in enumerate(records):
        comment = Comment(record["text"], record.get("username", "fan_123"), f"corpus-{index}")
        reply = respond(comment, context)
        result.by_intent[record["intent"]] += 1
        if reply.intent == record["intent"]:
            result.intent_right += 1
            result.by_intent_right[record["intent"]] += 1
        else:
            result.misses.append(f"intent {record['text']!r}: {reply.intent} != {record['intent']}")
            result.false_support += reply.intent == "support"
        if "topic" in record:
            topic = record["topic"]
            result.by_topic[topic] += 1
            result.by_topic_intent_right[topic] += reply.intent == record["intent"]
            if reply.to_json().get("topic") == topic:
                result.by_topic_right[topic] += 1
            else:
                result.misses.append(f"topic {record['text']!r}: {reply.to_json().get('topic')} != {topic}")
            if topic in ("crisis", "minor") and reply.tickets:
                result.unsafe_numbers.append(record["text"])
        if "language" in record:
            result.language_total += 1
            if reply.language == record["language"]:
                result.language_right += 1
            else:
                result.misses.append(f"language {record['text']!r}: {reply.language} != {record['language']}")
        if record["intent"] in ("pick", "check_ticket") and reply.intent == record["intent"]:
            result.parameters_total += 1
            want = {k: sorted(v) if isinstance(v, list) else v for k, v in expected_request(record).items()}
            got = comparable(reply.request, reply.intent)
            invalid_named = all(str(n) in (reply.text or "") for n in record.get("invalid", []))
            if got == want and invalid_named:
                result.parameters_right += 1
            else:
                result.misses.append(f"parameters {record['text']!r}: {got} != {want}")
    return result


def _main(paths: list[str]) -> None:
    from marksix.domain.calendar import next_scheduled_draw
    from marksix.draws.bundled import bundled_history, bundled_prizes
    from marksix.draws.popularity_model import shipped_model

    context = ReplyContext(
        history=bundled_history(),
        prizes=bundled_prizes(),
        popularity=shipped_model(),
        next_draw=next_scheduled_draw(dt.datetime(2026, 8, 23, 12, 0, tzinfo=dt.UTC)),
        secret="test-secret",
        account_username="marksix.bot",
    )
    quiet = "--quiet" in paths
    for path in (Path(p) for p in paths if p != "--quiet"):
        result = score(load(path), context)
        print("\n".join(result.lines(path.name)))
        if not quiet:
            for miss in result.misses:
                print("  miss:", miss)


if __name__ == "__main__":
    _main(sys.argv[1:])
