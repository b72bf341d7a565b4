"""One call to any OpenAI-compatible chat endpoint, errors translated into ours.

The `openai` SDK is an optional extra (`marksix[llm]`) and is imported only
here, only when a reply is to be reworded. Retries are off: a reply that is
late is worse than the template reply, which is always ready.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from marksix.errors import (
    ApiError,
    NetworkError,
    PermanentApiError,
    RateLimited,
    RetryableApiError,
    missing_extra,
)


@dataclass(frozen=True, slots=True)
class LlmConfig:
    base_url: str
    api_key: str | None = field(repr=False)  # None or "" for local servers that need none
    model: str
    timeout: float = 3.0
    #: The reply limit when the Reply does not carry its own (Reply.max_chars).
    max_chars: int = 300
    temperature: float = 0.7


def complete(
    messages: list[dict[str, str]],
    config: LlmConfig,
    *,
    http_client: httpx.Client | None = None,
    max_tokens: int = 400,
    response_format: dict[str, Any] | None = None,
) -> str:
    """The model's text for `messages`; an ApiError subclass on any failure.

    `response_format` asks for structured output (a JSON schema) where the
    endpoint supports it; the article studio uses it, replies do not.
    """
    extra: dict[str, Any] = {"response_format": response_format} if response_format else {}
    try:
        import openai
    except ImportError:  # pragma: no cover - the extra is installed in development
        raise missing_extra("llm", "openai") from None
    client = openai.OpenAI(
        base_url=config.base_url,
        # Local servers need no key, but the SDK insists on one.
        api_key=config.api_key or "not-needed",
        timeout=config.timeout,
        max_retries=0,
        # The SDK types its client as httpx2 but accepts a classic httpx.Client too.
        http_client=http_client,  # type: ignore[arg-type]
    )
    try:
        response: Any = client.chat.completions.create(
            model=config.model,
            messages=messages,  # type: ignore[arg-type]
            temperature=config.temperature,
            max_tokens=max_tokens,
            **extra,
        )
    except openai.APITimeoutError as error:
        raise NetworkError(f"the LLM did not answer within {config.timeout:g} s") from error
    except openai.APIConnectionError as error:
        raise NetworkError(f"could not reach the LLM endpoint: {error}") from error
    except openai.RateLimitError as error:
        raise RateLimited("the LLM endpoint is rate limiting", status=error.status_code) from error
    except openai.APIStatusError as error:
        kind = RetryableApiError if error.status_code >= 500 else PermanentApiError
        raise kind(f"the LLM endpoint answered HTTP {error.status_code}", status=error.status_code) from error
    except openai.OpenAIError as error:
        raise ApiError(f"the LLM call failed: {error}") from error
    finally:
        if http_client is None:
            client.close()
    try:
        content = response.choices[0].message.content
    except (AttributeError, IndexError, TypeError) as error:
        raise PermanentApiError("the LLM answer has no message") from error
    if not isinstance(content, str):
        raise PermanentApiError("the LLM answer has no text")
    return content
