"""The shipped intent classifier: numpy only at run time, and advice only where the rules fall back."""

from __future__ import annotations

import subprocess
import sys

from marksix.language.classifier import features_of, shipped_model
from marksix.language.intents import classify


def test_the_shipped_weights_load_and_are_small() -> None:
    model = shipped_model()
    assert model is not None
    assert set(model.classes) == {
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
    assert model.weights.shape == (len(model.index), len(model.classes))
    shares = model.probabilities("上期開咩號碼")
    assert abs(sum(shares.values()) - 1) < 1e-6


def test_features_fold_digits_so_numbers_do_not_matter() -> None:
    assert features_of("俾 8 同 18") == features_of("俾 3 同 44")


def test_replying_never_imports_scikit_learn() -> None:
    code = (
        "import sys; from marksix.language.classifier import shipped_model; shipped_model(); "
        "print('sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_model_never_overrules_safety_or_a_ticket() -> None:
    crisis = classify("再唔中我就去死", has_ticket_numbers=False, is_own=False)
    assert (crisis.intent, crisis.topic) == ("support", "crisis")
    ticket = classify("我買咗 1 2 3 4 5 6 中咗未", has_ticket_numbers=True, is_own=False, ball_count=6)
    assert ticket.intent == "check_ticket"


def test_rules_alone_can_be_asked_for() -> None:
    text = "天氣好好"
    assert classify(text, has_ticket_numbers=False, is_own=False, use_model=False).topic == "unclear"
