"""Fuzz the webhook parser: raw bytes, and webhook-shaped bodies with hostile values.

Half the inputs are taken as a raw body (json.loads, then the parser), half
build a webhook whose fields hold whatever the fuzzer chose (lone surrogates,
huge numbers, nested lists, long strings). Whatever is accepted must be
storable: UTF-8 text within Instagram's 2,200 characters, short IDs, a time
a database integer holds.

    python bench/fuzz_webhook.py --runs 1000000
"""

from __future__ import annotations

import json
from typing import Any

import atheris

from fuzz_support import run

with atheris.instrument_imports():
    from marksix.errors import InputError
    from marksix.instagram.webhooks import MAX_COMMENT_CHARS, MAX_ID_CHARS, parse_webhook_batch


def _value(provider: Any, depth: int = 0) -> Any:
    kind = provider.ConsumeIntInRange(0, 9 if depth < 4 else 6)
    if kind == 0:
        return provider.ConsumeUnicode(40)
    if kind == 1:
        return provider.ConsumeInt(provider.ConsumeIntInRange(1, 200))
    if kind == 2:
        return provider.ConsumeRegularFloat()
    if kind == 3:
        return provider.ConsumeBool()
    if kind == 4:
        return None
    if kind == 5:
        return provider.ConsumeUnicodeNoSurrogates(3000)
    if kind == 6:
        return "\ud800" + provider.ConsumeUnicode(5)
    if kind == 7:
        return [_value(provider, depth + 1) for _ in range(provider.ConsumeIntInRange(0, 3))]
    return {
        provider.ConsumeUnicode(6): _value(provider, depth + 1)
        for _ in range(provider.ConsumeIntInRange(0, 3))
    }


def _shaped(provider: Any) -> Any:
    def pick(usual: Any) -> Any:
        return usual if provider.ConsumeIntInRange(0, 3) else _value(provider)

    changes = []
    for _ in range(provider.ConsumeIntInRange(0, 4)):
        value = {
            "id": pick("17919697626119712"),
            "text": pick("俾組號碼我"),
            "from": pick({"id": pick("232323"), "username": pick("someone")}),
            "media": pick({"id": pick("18172143295349192"), "media_product_type": pick("FEED")}),
            "parent_id": pick(None),
        }
        changes.append(pick({"field": pick("comments"), "value": pick(value)}))
    entry = {"id": pick("17841400000000001"), "time": pick(1755779280), "changes": pick(changes)}
    return {"object": pick("instagram"), "entry": pick([pick(entry)])}


def one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    if provider.ConsumeBool():
        try:
            payload = json.loads(provider.ConsumeBytes(len(data)))
        except (ValueError, RecursionError):
            return
    else:
        payload = _shaped(provider)
    try:
        batch = parse_webhook_batch(payload)
    except InputError:
        return
    for event in batch.events:
        assert len(event.text) <= MAX_COMMENT_CHARS
        assert 0 < len(event.comment_id) <= MAX_ID_CHARS and len(event.account_id) <= MAX_ID_CHARS
        assert event.timestamp is None or 0 <= event.timestamp < 2**63
        json.dumps(event.to_json(), ensure_ascii=False).encode("utf-8")
    for bad in batch.rejected:
        assert bad.where and bad.reason


if __name__ == "__main__":
    run("webhook parser", one_input)
