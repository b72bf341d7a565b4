"""A real OpenAI-compatible HTTP server on 127.0.0.1, in a thread, with chosen behaviour.

Behaviours: faithful (rewords but keeps every number), and the ways a model
goes wrong: extra numbers (digits or Chinese numerals), win claims, links,
other mentions, a dropped footer, slowness, HTTP errors, malformed answers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Behaviour = Callable[[str], str]


def template_of(user_message: str) -> str:
    """The REPLY block of the prompt: the text a model is asked to reword."""
    return user_message.split("REPLY:\n", 1)[1].split("\n\nCOMMENT", 1)[0]


def reworded(template: str) -> str:
    head, _, rest = template.partition(" ")
    return f"{head} ✨ {rest}"


BEHAVIOURS: dict[str, Behaviour] = {
    "faithful": reworded,
    "extra_digit": lambda t: reworded(t) + "\n聽講 42 號好旺",
    "extra_numeral": lambda t: reworded(t) + "\n加多個四十四號啦",
    "extra_fullwidth": lambda t: reworded(t) + "\n４４ 都唔錯",
    "claim": lambda t: reworded(t).replace("\n", "\n必中！\n", 1),
    "english_claim": lambda t: reworded(t) + "\nGuaranteed win!",
    "link": lambda t: reworded(t) + "\nmore at https://evil.example.com",
    "mention": lambda t: reworded(t) + "\n@someone_else",
    "no_footer": lambda t: reworded(t).rsplit("\n", 1)[0],
    "dropped_ball": lambda t: t.replace("🔴", "", 1).replace(t.split("\n")[1].split(" ")[0], "", 1),
    "too_long": lambda t: reworded(t) + "\n" + "好運！" * 200,
    "simplified": lambda t: reworded(t) + "\n祝你好运",
    "switched_to_chinese": lambda t: reworded(t) + "\n祝你好運",
}


@dataclass
class FakeOpenAI:
    url: str
    behaviour: str = "faithful"
    delay: float = 0.0
    status: int = 200
    raw_body: str | None = None
    #: The message content to answer with, as is (a reading's JSON); None: reword the REPLY block.
    content: str | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)


def handler_for(state: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            state.requests.append(
                {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
            )
            if state.delay:
                time.sleep(state.delay)
            if state.status != 200:
                self._send(state.status, json.dumps({"error": {"message": "boom", "type": "server_error"}}))
                return
            if state.raw_body is not None:
                self._send(200, state.raw_body)
                return
            user = next(m["content"] for m in body["messages"] if m["role"] == "user")
            if state.content is not None:
                content = state.content
            elif "REPLY:\n" not in user:
                # A reading request and no reading set: the model finds nothing (the rules' answer stands).
                content = json.dumps({"intent": "help", "topic": "unclear", "parameters": {}})
            else:
                content = BEHAVIOURS[state.behaviour](template_of(user))
            answer = {
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
            }
            self._send(200, json.dumps(answer, ensure_ascii=False))

        def _send(self, status: int, text: str) -> None:
            payload = text.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass
