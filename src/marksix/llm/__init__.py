"""Optional LLM phrasing of a grounded template reply, behind the numeric firewall
(and, in llm/reading.py, optional help reading a comment the rules find unclear).

    template reply ──> prompt (comment fenced as data) ──> any OpenAI-compatible endpoint
          ^                                                        │
          └──── on error, timeout or any firewall violation ───────┘

The model only rewords: it never chooses numbers. Its text is posted only if
`firewall.check_rephrasing` accepts it; otherwise the template reply goes out,
and the Reply says why (`path`, `reason`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import httpx

from marksix.errors import MarksixError, NetworkError
from marksix.language.model import Comment, Reader, Reply
from marksix.language.safety import looks_like_injection
from marksix.llm.client import LlmConfig, complete
from marksix.llm.firewall import check_rephrasing
from marksix.llm.prompt import build_messages

if TYPE_CHECKING:
    from marksix.config import Settings

__all__ = ["LlmConfig", "config_from_settings", "reader_from_settings", "rephrase"]

#: Replies that go out exactly as written: a distressed commenter gets the
#: reviewed words, not a model's.
NEVER_REWORDED = frozenset({"support", "ignore"})


def config_from_settings(settings: Settings) -> LlmConfig | None:
    """The LLM settings, or None when no endpoint is configured."""
    if not settings.llm_base_url or not settings.llm_model:
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return LlmConfig(
        base_url=settings.llm_base_url,
        api_key=key,
        model=settings.llm_model,
        timeout=settings.llm_timeout_seconds,
        max_chars=settings.reply_max_chars,
    )


def reader_from_settings(settings: Settings) -> Reader | None:
    """A reader for comments the rules find unclear (llm/reading.py), or None without an LLM."""
    config = config_from_settings(settings) if settings.llm_enabled else None
    if config is None:
        return None
    from marksix.llm.reading import reader_for

    return reader_for(config)


def _template(reply: Reply, reason: str) -> Reply:
    return replace(reply, path="template", reason=reason)


def rephrase(
    reply: Reply,
    comment: Comment,
    config: LlmConfig,
    *,
    http_client: httpx.Client | None = None,
) -> Reply:
    """The LLM's rewording of `reply` if it passes the firewall, else `reply` with the reason."""
    if reply.text is None or reply.intent in NEVER_REWORDED:
        return reply
    if looks_like_injection(comment.text):
        return _template(reply, "comment looks like a prompt injection; not sent to the LLM")
    mention = f"@{comment.username.lstrip('@')}" if comment.username else ""
    # The reply's own limit (the account's) wins over the config's default.
    limit = reply.max_chars or config.max_chars
    messages = build_messages(
        template=reply.text,
        comment=comment.text,
        language=reply.language,
        mention=mention,
        max_chars=limit,
    )
    try:
        candidate = complete(messages, config, http_client=http_client)
    except NetworkError as error:
        return _template(reply, f"llm unavailable: {error}")
    except MarksixError as error:
        return _template(reply, f"llm error: {error}")
    verdict = check_rephrasing(
        candidate,
        reply.text,
        username=comment.username,
        language=reply.language,
        tickets=reply.tickets,
        max_chars=limit,
    )
    if not verdict.ok:
        return _template(reply, f"llm text rejected: {verdict.reason}")
    return replace(reply, text=candidate.strip(), path="llm", reason=None)
