"""Train the intent classifier shipped as src/marksix/language/intent_model.npz.

Character n-grams (the same `features_of` the run time uses) and a
multinomial logistic regression from scikit-learn (extra `tools`). Trained
on the corpus and the development set only: the held-out sets are never
read here.

    .venv/bin/pip install -e '.[tools]'
    .venv/bin/python tools/train_intent_model.py [--min-count 2] [--train comments.jsonl ...]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from marksix.language.classifier import MODEL_FILE, features_of
from marksix.language.numerals import normalise

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
OUTPUT = ROOT / "src" / "marksix" / "language" / MODEL_FILE
TRAIN = ("comments.jsonl", "comments_dev.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", nargs="+", default=list(TRAIN))
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--c", type=float, default=4.0, help="inverse regularisation strength")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    arguments = parser.parse_args()
    if any("holdout" in name for name in arguments.train):
        parser.error("the held-out sets are never trained on")
    records = [
        json.loads(line)
        for name in arguments.train
        for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    grams = [features_of(normalise(record["text"])) for record in records]
    counts: dict[str, int] = {}
    for found in grams:
        for gram in found:
            counts[gram] = counts.get(gram, 0) + 1
    vocabulary = sorted(gram for gram, count in counts.items() if count >= arguments.min_count)
    index = {gram: row for row, gram in enumerate(vocabulary)}
    matrix = np.zeros((len(records), len(vocabulary)), dtype=np.float32)
    for row, found in enumerate(grams):
        columns = [index[gram] for gram in found if gram in index]
        if columns:
            matrix[row, columns] = 1 / np.sqrt(len(columns))
    labels = [record["intent"] for record in records]
    model = LogisticRegression(C=arguments.c, max_iter=2000)
    model.fit(matrix, labels)
    np.savez_compressed(
        arguments.output,
        classes=np.array(model.classes_, dtype=str),
        vocabulary=np.array(vocabulary, dtype=str),
        weights=model.coef_.T.astype(np.float16),
        bias=model.intercept_.astype(np.float16),
    )
    size = arguments.output.stat().st_size
    print(f"{len(records)} comments, {len(vocabulary)} n-grams, {len(model.classes_)} intents")
    print(f"wrote {arguments.output.name} ({size:,} bytes)")


if __name__ == "__main__":
    main()
