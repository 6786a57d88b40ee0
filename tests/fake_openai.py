"""A local HTTP server speaking the OpenAI wire protocol, so the real `openai` client runs against it.

Each test scripts the answers it wants, in order (`server.script(...)`); a request with nothing scripted
gets a 500 that says so. Answers work for both plain JSON and SSE streaming (text/event-stream, one
`data:` line per chunk, `data: [DONE]` at the end, usage in the last chunk when asked for).

Faults, each one scripted answer:
  Reply(status=401) / Reply(status=500)            an error body as OpenAI sends it
  Reply(status=429, retry_after=1)                 rate limited, with Retry-After
  Reply(text=..., delay=5)                         nothing at all for `delay` seconds (timeouts)
  Reply(text=..., cut_after=3)                     the stream stops after 3 chunks: no finish_reason,
                                                   no [DONE], the connection just closes
  Reply(text="{not json")  Reply(text="")  Reply(text='{"x": 1}')   invalid JSON, empty, wrong shape

`server.requests` holds every request body received, `server.model_listings` counts GET /models;
`server.disconnects` counts streams the client closed before the server had sent everything (a
cancelled request really stopping).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Reply:
    text: str = ""
    status: int = 200
    retry_after: float | None = None
    delay: float = 0.0  # before the response starts
    chunk_delay: float = 0.0  # between streamed chunks
    chunk_size: int = 4  # characters per streamed chunk
    cut_after: int | None = None  # streamed chunks sent before the connection drops
    finish_reason: str = "stop"
    usage: tuple[int, int] | None = None  # (prompt, completion); default: a count of characters
    model: str = ""
    headers: dict = field(default_factory=dict)


class FakeOpenAI:
    def __init__(self, *, models: tuple[str, ...] = ("fake-model",)) -> None:
        self.models = models
        self.requests: list[dict] = []
        self.model_listings = 0  # GET /models requests
        self.disconnects = 0
        # time.perf_counter() right after the first non-empty chunk of each stream was sent.
        self.first_token_at: list[float] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-openai", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def script(self, *replies: Reply | str) -> None:
        with self._lock:
            self._replies.extend(Reply(text=r) if isinstance(r, str) else r for r in replies)

    def next_reply(self) -> Reply | None:
        with self._lock:
            return self._replies.popleft() if self._replies else None

    @property
    def pending(self) -> int:
        return len(self._replies)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # every response ends by closing the connection

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/v1/models":
                    fake.model_listings += 1
                    data = [{"id": m, "object": "model", "owned_by": "fake"} for m in fake.models]
                    self._json(200, {"object": "list", "data": data})
                else:
                    self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                body["_authorization"] = self.headers.get("Authorization", "")
                fake.requests.append(body)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                    return
                reply = fake.next_reply()
                if reply is None:
                    self._json(500, {"error": {"message": "no scripted answer", "type": "server_error"}})
                    return
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    self._error(reply)
                elif body.get("stream"):
                    self._stream(body, reply)
                else:
                    self._complete(body, reply)

            def _json(self, status: int, payload: dict, headers: dict | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _error(self, reply: Reply) -> None:
                kinds = {401: "invalid_api_key", 429: "rate_limit_exceeded", 400: "invalid_request_error"}
                headers = dict(reply.headers)
                if reply.retry_after is not None:
                    headers["Retry-After"] = str(reply.retry_after)
                message = reply.text or f"fake error {reply.status}"
                error = {"message": message, "type": kinds.get(reply.status, "server_error"), "code": None}
                self._json(reply.status, {"error": error}, headers)

            def _usage(self, body: dict, reply: Reply) -> dict:
                if reply.usage:
                    prompt, completion = reply.usage
                else:
                    prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
                    completion = len(reply.text)
                return {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                }

            def _complete(self, body: dict, reply: Reply) -> None:
                choice = {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.text},
                    "finish_reason": reply.finish_reason,
                }
                self._json(
                    200,
                    {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": reply.model or body.get("model", ""),
                        "choices": [choice],
                        "usage": self._usage(body, reply),
                    },
                )

            def _stream(self, body: dict, reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                model = reply.model or body.get("model", "")
                pieces = [
                    reply.text[i : i + reply.chunk_size] for i in range(0, len(reply.text), reply.chunk_size)
                ]
                base = {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": model,
                }
                try:
                    self._event(
                        {
                            **base,
                            "choices": [
                                {
                                    "index": 0,
                                    "delta": {"role": "assistant", "content": ""},
                                    "finish_reason": None,
                                }
                            ],
                        }
                    )
                    for n, piece in enumerate(pieces):
                        if reply.cut_after is not None and n >= reply.cut_after:
                            return  # the connection closes: no finish_reason, no [DONE]
                        if reply.chunk_delay:
                            time.sleep(reply.chunk_delay)
                        delta = {"index": 0, "delta": {"content": piece}, "finish_reason": None}
                        self._event({**base, "choices": [delta]})
                        if n == 0:
                            fake.first_token_at.append(time.perf_counter())
                    if reply.cut_after is not None:
                        return
                    self._event(
                        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}]}
                    )
                    if (body.get("stream_options") or {}).get("include_usage"):
                        self._event({**base, "choices": [], "usage": self._usage(body, reply)})
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    with fake._lock:
                        fake.disconnects += 1

            def _event(self, payload: dict) -> None:
                self.wfile.write(b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n")
                self.wfile.flush()

        return Handler


def endpoint_settings(server: FakeOpenAI, *, json_schema: bool = True, model: str = "fake-model") -> dict:
    """An LLM_ENDPOINTS entry pointing at the fake server."""
    return {
        "label": "Fake",
        "base_url": server.base_url,
        "api_key_env": "FAKE_LLM_KEY",
        "model": model,
        "json_schema": json_schema,
        "price_in": 1.0,
        "price_out": 2.0,
    }


@pytest.fixture(name="fake_llm")
def fake_llm_fixture(settings, monkeypatch):
    """The fake server, configured as the only endpoint, with short timeouts and quick retries."""
    server = FakeOpenAI().start()
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test-key")
    settings.LLM_ENDPOINTS = {"fake": endpoint_settings(server)}
    settings.LLM_READ_TIMEOUT = 2.0
    settings.LLM_CONNECT_TIMEOUT = 2.0
    settings.LLM_MAX_RETRIES = 2
    settings.LLM_MAX_RETRY_AFTER = 3.0
    settings.AI_PROGRESS_INTERVAL = 0.05
    monkeypatch.setattr("scripts_app.ai.client._backoff", lambda attempt: 0.05)
    yield server
    server.stop()
