"""marksix: honest Mark Six (六合彩) statistics, ticket checking and picks.

The names below are imported on first use, so `import marksix` stays cheap
for the command line.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Draw": "marksix.domain.draws",
    "DrawHistory": "marksix.domain.draws",
    "Ticket": "marksix.domain.tickets",
    "check_ticket": "marksix.domain.tickets",
    "tier_for": "marksix.domain.tickets",
    "TIERS": "marksix.domain.rules",
    "bundled_history": "marksix.draws.bundled",
    "bundled_prizes": "marksix.draws.bundled",
    "load_history": "marksix.draws.archive",
    "compute_statistics": "marksix.domain.statistics",
    "MarksixError": "marksix.errors",
}

if TYPE_CHECKING:
    from marksix.domain.draws import Draw, DrawHistory
    from marksix.domain.rules import TIERS
    from marksix.domain.statistics import compute_statistics
    from marksix.domain.tickets import Ticket, check_ticket, tier_for
    from marksix.draws.archive import load_history
    from marksix.draws.bundled import bundled_history, bundled_prizes
    from marksix.errors import MarksixError

__all__ = [
    "TIERS",
    "Draw",
    "DrawHistory",
    "MarksixError",
    "Ticket",
    "__version__",
    "bundled_history",
    "bundled_prizes",
    "check_ticket",
    "compute_statistics",
    "load_history",
    "tier_for",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'marksix' has no attribute {name!r}")
    return getattr(import_module(module), name)
