"""Comment understanding and reply writing (Cantonese first). Pure: no I/O.

    comment -> intent and parameters -> engine picks and statistics -> wording -> fitted reply

`respond` is the template path: deterministic per (secret, draw, comment),
fast, and safe by construction. `marksix.llm.rephrase` may reword its text
behind a numeric firewall.
"""

from __future__ import annotations

from marksix.language.compose import compose, respond, seed_for
from marksix.language.intents import INTENTS
from marksix.language.model import Comment, Reply, ReplyContext

__all__ = ["INTENTS", "Comment", "Reply", "ReplyContext", "compose", "respond", "seed_for"]
