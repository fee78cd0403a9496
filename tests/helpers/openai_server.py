"""A scripted HTTP server that speaks the OpenAI chat-completions protocol, for tests.

Runs ``http.server`` in a thread on 127.0.0.1 and a random port. Replies come from a script
(a queue of :class:`Reply`, consumed in order), then from an optional ``responder`` that sees
each request body; with neither left, the server answers 500 so a test notices. Every request
is recorded (``requests``), so tests can assert how many calls were made and what they held.

    with ScriptedOpenAIServer() as server:
        server.script(Reply.rate_limited(0.01), Reply.chat({"triples": []}))
        llm = OpenAICompatibleLLM("m", base_url=server.base_url, backoff_base=0.001)
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer: a chat completion (status 200) or an error, optionally after ``delay`` s."""

    status: int = 200
    content: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    usage: tuple[int, int] | None = None
    error: str = ""
    cut: bool = False
    """Send only the first half of the HTTP body, then close the connection (a reply cut off in transit)."""

    @classmethod
    def chat(
        cls,
        content: str | dict[str, Any] | list[Any],
        *,
        usage: tuple[int, int] | None = None,
        delay: float = 0.0,
    ) -> Reply:
        text = content if isinstance(content, str) else json.dumps(content)
        return cls(content=text, usage=usage, delay=delay)

    @classmethod
    def fail(
        cls, status: int, message: str = "scripted error", *, headers: dict[str, str] | None = None
    ) -> Reply:
        return cls(status=status, error=message, headers=dict(headers or {}))

    @classmethod
    def rate_limited(cls, retry_after: float | None = None) -> Reply:
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        return cls.fail(429, "rate limit reached", headers=headers)

    @classmethod
    def cut_off(cls, then: Reply) -> Reply:
        """``then``, cut off in transit: half of its HTTP body arrives, then the connection closes."""
        return cls(then.status, then.content, then.headers, then.delay, then.usage, then.error, cut=True)

    @classmethod
    def slow(cls, seconds: float, then: Reply | None = None) -> Reply:
        """Sleep ``seconds`` before answering (``then``, or an empty JSON object)."""
        base = then or cls.chat("{}")
        return cls(base.status, base.content, base.headers, seconds, base.usage, base.error)


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float

    @property
    def messages(self) -> list[dict[str, str]]:
        return list(self.body.get("messages", []))

    @property
    def response_format(self) -> str:
        return str((self.body.get("response_format") or {}).get("type", ""))


def chunk_text_of(body: dict[str, Any]) -> str:
    """The text between the first pair of triple quotes of the first user message (the chunk)."""
    for message in body.get("messages", []):
        if message.get("role") == "user":
            parts = str(message.get("content", "")).split('"""')
            return parts[1].strip() if len(parts) >= 3 else ""
    return ""


def _words(text: str) -> int:
    return len(text.split())


class ScriptedOpenAIServer:
    """``reject_formats``: response_format types answered with HTTP 400 (e.g. ``{"json_schema"}``)."""

    def __init__(
        self,
        *,
        responder: Callable[[dict[str, Any]], Reply] | None = None,
        reject_formats: set[str] | None = None,
        model: str = "scripted-model",
    ) -> None:
        self.responder = responder
        self.reject_formats = set(reject_formats or ())
        self.model = model
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        """Most chat requests the server was answering at once (checks client concurrency limits)."""
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control ---------------------------------------------------------------------------
    def script(self, *replies: Reply) -> ScriptedOpenAIServer:
        with self._lock:
            self._queue.extend(replies)
        return self

    @property
    def request_count(self) -> int:
        with self._lock:
            return len([r for r in self.requests if r.path.endswith("/chat/completions")])

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._queue.clear()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "start the server first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> ScriptedOpenAIServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ScriptedOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- answering -------------------------------------------------------------------------
    def _enter(self, step: int) -> None:
        with self._lock:
            self.in_flight += step
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _record(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(RecordedRequest(path, headers, body, time.monotonic()))
            fmt = str((body.get("response_format") or {}).get("type", ""))
            if fmt in self.reject_formats:
                return Reply.fail(400, f"response_format type {fmt!r} is not supported by this server")
            if self._queue:
                return self._queue.popleft()
        if self.responder is not None:
            return self.responder(body)
        return Reply.fail(500, "the test server's script is exhausted")

    def _payload(self, reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
        if reply.status != 200:
            return {"error": {"message": reply.error, "type": "scripted_error", "code": reply.status}}
        prompt = sum(_words(str(m.get("content", ""))) for m in body.get("messages", []))
        p, c = reply.usage or (prompt, _words(reply.content))
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or self.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c},
        }


def _handler(server: ScriptedOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(
            self,
            status: int,
            payload: dict[str, Any],
            headers: dict[str, str] | None = None,
            cut: bool = False,
        ) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data[: len(data) // 2] if cut else data)
                if cut:
                    self.wfile.flush()
                    self.close_connection = True
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout): nothing to answer

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._send(200, {"object": "list", "data": [{"id": server.model, "object": "model"}]})
            else:
                self._send(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except json.JSONDecodeError:
                self._send(400, {"error": {"message": "body is not JSON"}})
                return
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(404, {"error": {"message": f"no route {self.path}"}})
                return
            reply = server._record(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            server._enter(+1)
            try:
                if reply.delay and server._stopping.wait(reply.delay):
                    return
                self._send(reply.status, server._payload(reply, body), reply.headers, cut=reply.cut)
            finally:
                server._enter(-1)

    return Handler
