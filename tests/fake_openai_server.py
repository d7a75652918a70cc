"""A small HTTP server speaking /v1/chat/completions (plain and SSE), scripted by the tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = str | Callable[[list[dict[str, Any]]], str]


@dataclass
class Step:
    """What the server does for one request: a status code, a delay, and a reply."""

    reply: Reply = "年鉴中未找到相关记载。"
    status: int = 200
    delay: float = 0.0


@dataclass
class Script:
    """Steps used in order (the last one repeats), and every request received."""

    steps: list[Step] = field(default_factory=lambda: [Step()])
    requests: list[dict[str, Any]] = field(default_factory=list)

    def next_step(self) -> Step:
        return self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]


class FakeOpenAIServer:
    """Runs on 127.0.0.1 on a free port until closed; use as a context manager."""

    def __init__(self) -> None:
        self.script = Script()
        handler = _make_handler(self.script)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def play(self, *steps: Step) -> None:
        """Replace the script with these steps and forget earlier requests."""
        self.script.steps = list(steps) or [Step()]
        self.script.requests.clear()

    def __enter__(self) -> FakeOpenAIServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _make_handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            script.requests.append(body)
            step = script.next_step()
            if step.delay:
                time.sleep(step.delay)
            if step.status != 200:
                self._json(step.status, {"error": {"message": f"scripted {step.status}", "type": "test"}})
                return
            text = step.reply(body.get("messages", [])) if callable(step.reply) else step.reply
            try:
                if body.get("stream"):
                    self._sse(text, body.get("model", "fake"))
                else:
                    self._json(200, _completion(text, body.get("model", "fake")))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _sse(self, text: str, model: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            pieces = [text[i : i + 4] for i in range(0, len(text), 4)] or [""]
            for piece in pieces:
                self._event(_chunk(piece, model, None))
            self._event(_chunk("", model, "stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

        def _event(self, payload: dict[str, Any]) -> None:
            self.wfile.write(f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode("utf-8"))
            self.wfile.flush()

    return Handler


def _completion(text: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(piece: str, model: str, finish: str | None) -> dict[str, Any]:
    delta = {"content": piece} if piece else {}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
