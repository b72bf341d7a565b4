"""A real OpenAI-compatible HTTP server on 127.0.0.1 that answers the studio's structured-output calls.

It is as strict as a real server that supports JSON schemas: a request
without `response_format` of type json_schema, or with a schema it does not
know, gets HTTP 400. Its answers are scripted: each English paragraph maps to
a Chinese one (`translations`), and the article sections come from `sections`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

MODEL = "fake-gpt-studio"


@dataclass
class FakeStudioLLM:
    url: str = ""
    translations: dict[str, str] = field(default_factory=dict)
    #: names reported by the first chunk only, so the test sees them carried to the next
    names: list[dict[str, str]] = field(default_factory=list)
    sections: dict[str, Any] = field(default_factory=dict)
    brief: Callable[[str], str] = lambda text: f"快訊：{text}"
    raw_content: str | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)

    def payloads(self, schema: str) -> list[dict[str, Any]]:
        return [
            json.loads(next(m["content"] for m in body["messages"] if m["role"] == "user"))
            for body in (request["body"] for request in self.requests)
            if body["response_format"]["json_schema"]["name"] == schema
        ]

    def answer(self, schema: str, payload: dict[str, Any]) -> dict[str, Any]:
        if schema == "translation_chunk":
            paragraphs = [
                {"subheading": None, "text": self.translations.get(text, f"（未翻譯）{text}")}
                for text in payload["paragraphs"]
            ]
            return {"paragraphs": paragraphs, "names": self.names if payload["part"] == 1 else []}
        return {
            **self.sections,
            "brief": [
                {"index": item["index"], "text": self.brief(item["text"])} for item in payload["brief"]
            ],
        }


def _handler(state: FakeStudioLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            state.requests.append({"path": self.path, "body": body})
            response_format = body.get("response_format") or {}
            schema = (response_format.get("json_schema") or {}).get("name")
            if response_format.get("type") != "json_schema" or schema not in {
                "translation_chunk",
                "article_sections",
            }:
                self._send(
                    400, {"error": {"message": "response_format json_schema required", "type": "invalid"}}
                )
                return
            user = next(m["content"] for m in body["messages"] if m["role"] == "user")
            content = state.raw_content
            if content is None:
                content = json.dumps(state.answer(schema, json.loads(user)), ensure_ascii=False)
            self._send(
                200,
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                },
            )

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@contextmanager
def serve(state: FakeStudioLLM) -> Iterator[FakeStudioLLM]:
    server = _Server(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def sample_state(data: Path) -> FakeStudioLLM:
    """The fake scripted with the Meta sample in tests/studio/data: a faithful translator."""
    from marksix.studio.checker import split_article
    from marksix.studio.sources import from_markdown

    english = from_markdown((data / "meta_source.md").read_text(encoding="utf-8")).paragraphs
    chinese, _ = split_article((data / "meta_translation.md").read_text(encoding="utf-8"))
    paragraphs = [part for part in chinese.split("\n\n")[1:] if part.strip()]
    return FakeStudioLLM(
        translations=dict(zip(english, paragraphs, strict=True)),
        names=[{"source": "The Verge", "rendering": "The Verge"}],
        sections={
            "headline": "Meta斥資150億美元建AI數據中心",
            "dek": "馬克·祖克伯格宣布，Meta將於2027年3月前完成投資。",
            "commentary": "這筆投資顯示Meta對AI的決心，但能否回本仍是未知數。",
            "key_figure": "150億美元",
            "cover_prompt": "glowing data centre racks at dusk",
        },
        brief=lambda text: "Nvidia於10月付運100萬枚H200晶片。" if "Nvidia" in text else f"快訊：{text}",
    )


if __name__ == "__main__":  # pragma: no cover - for the README transcript
    import sys
    import time

    with serve(sample_state(Path(sys.argv[1]))) as running:
        print(running.url, flush=True)
        while True:
            time.sleep(3600)
