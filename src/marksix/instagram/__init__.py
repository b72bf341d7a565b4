"""Instagram Graph API: webhooks, the reply client and error classes: only what talks to Meta.

The simulated Instagram that the sandbox and the tests use lives beside this
package, in `marksix.sandbox`.
"""

from marksix.instagram.errors import classify, failure_class, is_retryable, redact
from marksix.instagram.graph import GraphClient, appsecret_proof
from marksix.instagram.usage import BusinessUsage, Usage, parse_usage
from marksix.instagram.webhooks import (
    CommentEvent,
    parse_webhook,
    sign,
    verification_response,
    verify_signature,
)

__all__ = [
    "BusinessUsage",
    "CommentEvent",
    "GraphClient",
    "Usage",
    "appsecret_proof",
    "classify",
    "failure_class",
    "is_retryable",
    "parse_usage",
    "parse_webhook",
    "redact",
    "sign",
    "verification_response",
    "verify_signature",
]
