"""Safety rules shared by the templates and the LLM firewall.

- No text of ours claims or hints at a win (必中, 穩中, 保證, 包中, 命中率 and kin,
  in Traditional, Simplified and English).
- Every number a reply shows comes from the engine: `numbers_in` reads digits,
  full-width digits and Chinese numerals alike, so a model cannot slip a
  number past the check by writing it as 十八 or ８.
- Links and @mentions other than the commenter's are never posted.
- Comments that try to steer a model ("ignore previous instructions",
  系統提示) are recognised so the LLM is not asked to phrase them at all.
"""

from __future__ import annotations

import re

from marksix.language.numerals import chinese_to_int, normalise, number_tokens

FORBIDDEN_CLAIMS = (
    "必中",
    "穩中",
    "稳中",
    "保證",
    "保证",
    "包中",
    "命中率",
    "穩賺",
    "稳赚",
    "包贏",
    "包赢",
    "穩贏",
    "稳赢",
    "必勝",
    "必胜",
    "一定中",
    "肯定中",
    "包你中",
    "中獎率提升",
    "中奖率提升",
    "guarantee",
    "sure win",
    "sure-win",
    "surewin",
    "hit rate",
    "will win",
    "can't lose",
    "cannot lose",
    "100% win",
    "winning formula",
    "beat the odds",
)
URL = re.compile(
    r"(?:https?://|www\.|\b[a-z0-9-]+\.(?:com|net|org|io|hk|cn|ly|me|co|xyz|top|app|link|site|shop)\b|t\.me/)",
    re.IGNORECASE,
)
MENTION = re.compile(r"@[A-Za-z0-9._]+")
INJECTION_PATTERNS = re.compile(
    "|".join(
        (
            r"ignore (?:all |the |any )?(?:previous|prior|above|earlier|your)",
            r"disregard (?:all |the |any )?(?:previous|prior|above|your)",
            r"forget (?:all |your |the )?(?:previous |prior )?(?:instructions|rules|prompt)",
            r"system prompt",
            r"you are now",
            r"act as\b",
            r"pretend (?:to be|you)",
            r"developer mode",
            r"jailbreak",
            r"\bdan\b",
            r"reveal (?:your|the) (?:prompt|instructions|rules)",
            r"(?:print|show|repeat) (?:your|the) (?:prompt|instructions|system)",
            r"new instructions",
            r"</?\w+>\s*system",
            r"\bsystem\s*:",
            r"@everyone",
            "系統提示",
            "系统提示",
            "忽略(?:之前|以上|上面|所有|前面)",
            "無視(?:之前|以上|所有)",
            "无视(?:之前|以上|所有)",
            "唔好理(?:之前|以上|啲)",
            "你(?:而家|現在|现在)係",
            "你现在是",
            "扮演",
            "指令",
            "提示詞",
            "提示词",
            "越獄",
            "越狱",
        )
    ),
    re.IGNORECASE,
)
# Everyday words built from numerals that carry no quantity a reader could
# mistake for a pick; removed before numbers are read so they are not flagged.
NUMERAL_IDIOMS = (
    "一齊",
    "一齐",
    "一起",
    "一樣",
    "一样",
    "一下",
    "一啲",
    "一些",
    "一般",
    "一切",
    "一直",
    "統一",
    "统一",
    "萬一",
    "万一",
    "一路",
    "一定",
    "一次過",
    "之一",
    "上一期",
    "下一期",
    "最新一期",
    "一個人",
    "一个人",
    "獨一無二",
    "独一无二",
    "六合彩",
    "十分",
    "不三不四",
)


def forbidden_claims(text: str) -> list[str]:
    """Every forbidden win claim in `text` (case-insensitive)."""
    folded = normalise(text)
    return [claim for claim in FORBIDDEN_CLAIMS if claim in folded]


def has_link(text: str) -> bool:
    return URL.search(normalise(text)) is not None


def looks_like_injection(text: str) -> bool:
    return INJECTION_PATTERNS.search(normalise(text)) is not None


def canonical_number(text: str) -> str:
    """08 -> 8, 1,834 -> 1834, 12.20 -> 12.2: the same number written one way."""
    cleaned = text.replace(",", "")
    if "." in cleaned:
        whole, _, fraction = cleaned.partition(".")
        fraction = fraction.rstrip("0")
        whole = whole.lstrip("0") or "0"
        return f"{whole}.{fraction}" if fraction else whole
    return cleaned.lstrip("0") or "0"


def numbers_in(text: str, *, ignore_mentions: bool = True) -> list[str]:
    """Every number in `text` in canonical form, whatever the script it is written in."""
    folded = normalise(text)
    if ignore_mentions:
        folded = MENTION.sub(" ", folded)
    for idiom in NUMERAL_IDIOMS:
        folded = folded.replace(idiom, " ")
    found: list[str] = []
    for token in number_tokens(folded):
        if token.chinese:
            value = chinese_to_int(token.text)
            found.append(str(value) if value is not None else token.text)
        else:
            found.append(canonical_number(token.text))
    return found
