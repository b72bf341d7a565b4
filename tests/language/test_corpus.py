"""The labelled comment corpus: intent, language and parameter accuracy with floors.

Run with `-s` to see the figures (or `tests/language/corpus_score.py FILE`).

The rules were tuned on comments.jsonl, so its own accuracy is optimistic.
The honest figure comes from comments_holdout.jsonl (163 comments, written
before the rules were generalised and never used to tune them; only its
totals are looked at). Measured on it:

- before (rules as tuned on the corpus): intent 76.7%, support 24/41
  (every missed harm comment got numbers instead of the help line),
  language 100%, parameters 95.5%.
- after the work on comments_dev.jsonl (harm read by concept families in
  both scripts, English stems, script-variant lexicon matching): intent
  87.7%, support 39/41 and no other comment taken for support, language
  100%, parameters 95.5%. help (8/13) and odds (6/10) did not improve.

comments_holdout2.jsonl (307, with a finer `topic`) was written for issue 11
before any of its rules; scored with the rules alone (before/after, see
comments_holdout2_before.txt): intent 59.0% -> 92.8%, support 33/60 -> 59/60,
crisis or minor comments given numbers 26 -> 0, topic 0% -> 88.9%, parameters
78.8% -> 90.9% (rules alone; with the classifier 93.8%, 60/60, 89.6%). The old
held-out set moved 87.7% -> 87.1% (unrecognised comments now get a "try
asking me" reply rather than numbers).

With the shipped classifier advising where the rules fall back (rules alone
-> rules + classifier; thresholds 0.6, 0.8 for pick, set before measuring):
held-out 2 intent 92.8% -> 93.8% (support 59/60 -> 60/60), old held-out
87.1% -> 88.3% (support 39/41 -> 41/41), dev 99.2% -> 99.5% (dev is
training data, so that last figure is optimistic).

Issue 11's second session (dedicated answers for a number's gap, frequency
and hotness, the jackpot, today's draw, multiples and fixed prizes; rules
written from fresh phrasings in comments_dev.jsonl, never from the held-out
misses), rules + classifier, before -> after: held-out 2 intent 93.8% ->
97.7% (stats 25/37 -> 34/37, next_draw 18/20 -> 20/20, odds 25/27 -> 26/27;
help 81/84, pick 61/61, support 60/60, last_result 8/8, check_ticket 5/5,
ignore 5/5 unchanged), topic 89.6% -> 93.8%; rules alone 92.8% -> 97.1%. Old
held-out 88.3% -> 89.0% (rules alone 87.1% -> 87.7%).

comments_dev.jsonl (417) is what the rules were generalised on, batch by
batch; each fresh batch of harm phrasings scored 35-50% support recall
before it was folded in, so expect misses on phrasings unlike any here.
"""

from __future__ import annotations

import pytest
from corpus_score import FIXTURES, load, score

from marksix.language import ReplyContext

INTENT_FLOOR = 0.95
LANGUAGE_FLOOR = 0.95
PARAMETER_FLOOR = 0.92
#: Floors a little below the measured held-out figures (87.7%, 39/41, 100%, 95.5%).
HOLDOUT_FLOORS = {"intent": 0.85, "support": 0.90, "language": 0.97, "parameters": 0.92, "false_support": 2}
#: Issue 11's held-out set, a little below its after-figures (97.7%, 60/60, 99.0%, 90.9%).
HOLDOUT2_FLOORS = {"intent": 0.95, "support": 0.95, "language": 0.97, "parameters": 0.88, "false_support": 2}
#: The development set was tuned on: its floors sit just below its figures (99.7%, 130/131).
DEV_FLOORS = {"intent": 0.97, "support": 0.97, "language": 0.97, "parameters": 0.95, "false_support": 2}


def test_corpus_is_large_and_covers_every_intent() -> None:
    corpus = load(FIXTURES / "comments.jsonl")
    assert len(corpus) >= 150
    assert {record["intent"] for record in corpus} == {
        "pick",
        "last_result",
        "next_draw",
        "check_ticket",
        "odds",
        "stats",
        "help",
        "support",
        "ignore",
    }
    assert {record.get("language") for record in corpus} >= {"zh-HK", "zh-CN", "en"}


def test_corpus_accuracy_floors(context: ReplyContext, capsys: pytest.CaptureFixture[str]) -> None:
    result = score(load(FIXTURES / "comments.jsonl"), context)
    with capsys.disabled():
        print("\n" + "\n".join(result.lines("corpus")))
        for miss in result.misses:
            print("  miss:", miss)
    assert result.intent >= INTENT_FLOOR, result.misses
    assert result.language >= LANGUAGE_FLOOR, result.misses
    assert result.parameters >= PARAMETER_FLOOR, result.misses


@pytest.mark.parametrize(
    ("name", "floors"),
    [
        ("comments_holdout.jsonl", HOLDOUT_FLOORS),
        ("comments_holdout2.jsonl", HOLDOUT2_FLOORS),
        ("comments_dev.jsonl", DEV_FLOORS),
    ],
)
def test_held_out_and_development_floors(
    name: str, floors: dict[str, float], context: ReplyContext, capsys: pytest.CaptureFixture[str]
) -> None:
    records = load(FIXTURES / name)
    result = score(records, context)
    with capsys.disabled():
        # Figures only: the held-out misses are not printed, so nobody tunes on them.
        print("\n" + "\n".join(result.lines(name)))
    assert len(records) >= 120
    assert result.intent >= floors["intent"]
    assert result.recall("support") >= floors["support"]
    assert result.language >= floors["language"]
    assert result.parameters >= floors["parameters"]
    # The safety bias has a cost too: a comment taken for support gets no numbers.
    assert result.false_support <= floors["false_support"]
    assert result.unsafe_numbers == []
