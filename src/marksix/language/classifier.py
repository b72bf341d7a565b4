"""A small statistical intent classifier, applied with numpy alone.

Character n-grams (1-3) of the comment, digits folded to one symbol, as
binary features scaled to unit length, times the weights of a linear model
trained by tools/train_intent_model.py (scikit-learn, a tools-only
dependency). The weights ship as language/intent_model.npz and are loaded on
first use, so importing this module costs nothing.

It only advises: the rules keep what must be exact (safety, numbers,
parameters), and the classifier is consulted where the rules fall back to a
default (see intents.classify).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

MODEL_FILE = "intent_model.npz"
NGRAM_SIZES = (1, 2, 3)
DIGITS = re.compile(r"\d+")
SPACES = re.compile(r"\s+")


def features_of(normalised: str) -> set[str]:
    """The character n-grams of a comment as the model sees it (shared with the trainer)."""
    text = " " + SPACES.sub(" ", DIGITS.sub("0", normalised)).strip() + " "
    return {text[start : start + size] for size in NGRAM_SIZES for start in range(len(text) - size + 1)}


@dataclass(frozen=True, slots=True)
class IntentModel:
    classes: tuple[str, ...]
    index: dict[str, int]
    weights: npt.NDArray[np.float32]  # (features, classes)
    bias: npt.NDArray[np.float32]  # (classes,)

    def probabilities(self, normalised: str) -> dict[str, float]:
        rows = [self.index[gram] for gram in features_of(normalised) if gram in self.index]
        scores = self.bias.copy()
        if rows:
            scores += self.weights[rows].sum(axis=0) / np.sqrt(len(rows))
        exp = np.exp(scores - scores.max())
        shares = exp / exp.sum()
        return {name: float(share) for name, share in zip(self.classes, shares, strict=True)}

    def best(self, normalised: str) -> tuple[str, float]:
        shares = self.probabilities(normalised)
        name = max(shares, key=shares.__getitem__)
        return name, shares[name]


@functools.cache
def shipped_model() -> IntentModel | None:
    """The model in the package data, or None when it is not there (the rules then decide alone)."""
    source = resources.files("marksix.language").joinpath(MODEL_FILE)
    if not source.is_file():
        return None
    with source.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
        vocabulary = [str(gram) for gram in data["vocabulary"]]
        return IntentModel(
            classes=tuple(str(name) for name in data["classes"]),
            index={gram: row for row, gram in enumerate(vocabulary)},
            weights=data["weights"].astype(np.float32),
            bias=data["bias"].astype(np.float32),
        )
