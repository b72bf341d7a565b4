"""Instagram Graph API: webhooks, the reply client, error classes and a simulator.

The simulator (`marksix.instagram.simulator`) is imported on demand because
it pulls in Starlette; everything else here is light.
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
