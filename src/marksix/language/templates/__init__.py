"""Reply wording per language: zh-HK (Cantonese, Traditional), zh-CN (Simplified), en."""

from __future__ import annotations

from marksix.language.templates import en, zh_cn, zh_hk
from marksix.language.templates.base import Wording

WORDINGS: dict[str, Wording] = {
    "zh-HK": zh_hk.WORDING,
    "zh-CN": zh_cn.WORDING,
    "en": en.WORDING,
}
