"""The one place that talks to a model: any OpenAI-compatible endpoint, through the `openai` client.

Every call streams (so the room sees the proposal grow and a cancel can stop it), with explicit
timeouts, and retries of its own before the first token: 429 (waiting what Retry-After says, up to
a limit), 5xx, timeouts, dropped connections, a stream cut before it said anything. After the first
token nothing is retried: the caller keeps the partial text.

A stream that ends without a finish_reason was cut, not completed (the openai client raises nothing
when the connection closes early). Cancelling shuts the socket down from a watcher thread, so the
request really stops even while the model is silent.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import openai
from django.conf import settings
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

# How often the watcher asks whether the request was cancelled.
CANCEL_POLL_SECONDS = 0.25


@dataclass(frozen=True)
class Endpoint:
    name: str
    label: str
    base_url: str
    api_key_env: str
    model: str
    json_schema: bool
    price_in: float = 0.0  # per million tokens
    price_out: float = 0.0

    def api_key(self) -> str:
        # Read at call time from the server's environment: never stored, never rendered.
        return os.environ.get(self.api_key_env, "")


class NotConfigured(Exception):
    """No model endpoint this series can use; the message says how to configure one."""


class ModelError(Exception):
    """A model call that did not give a usable answer. `str(error)` is readable by a writer."""

    def __init__(
        self,
        reason: str,
        *,
        code: str,
        retryable: bool = False,
        partial: str = "",
        retry_after: float | None = None,
        tokens_in: int = 0,
        tokens_out: int = 0,
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.retryable = retryable
        self.partial = partial
        self.retry_after = retry_after
        self.tokens_in = tokens_in
        self.tokens_out = tokens_out


class Cancelled(ModelError):
    def __init__(self, *, partial: str = "", tokens_in: int = 0, tokens_out: int = 0) -> None:
        super().__init__(
            _("Cancelled."), code="cancelled", partial=partial, tokens_in=tokens_in, tokens_out=tokens_out
        )


@dataclass
class Spent:
    """Tokens a request has spent over all its calls and attempts, added to as each attempt ends,
    however it ends (answered, failed, cancelled, or stopped by the task's time limit midway), so a
    budget counts what the provider bills. An attempt counts once the endpoint started answering
    (its stream opened); an attempt refused before that (401, 429, 500, no connection) costs nothing."""

    tokens_in: int = 0
    tokens_out: int = 0

    @property
    def total(self) -> int:
        return self.tokens_in + self.tokens_out

    def add(self, tokens_in: int, tokens_out: int) -> None:
        self.tokens_in += tokens_in
        self.tokens_out += tokens_out


@dataclass(frozen=True)
class Answer:
    text: str
    finish_reason: str
    tokens_in: int
    tokens_out: int
    model: str


# ---- Endpoints -----------------------------------------------------------------------------------


def configured_endpoints() -> dict[str, Endpoint]:
    """The endpoints this server offers, by name (settings.LLM_ENDPOINTS)."""
    result = {}
    for name, preset in (getattr(settings, "LLM_ENDPOINTS", None) or {}).items():
        if not preset.get("base_url"):
            continue
        result[name] = Endpoint(
            name=name,
            label=str(preset.get("label") or name),
            base_url=preset["base_url"],
            api_key_env=preset.get("api_key_env") or "",
            model=preset.get("model") or "",
            json_schema=bool(preset.get("json_schema", False)),
            price_in=float(preset.get("price_in") or 0),
            price_out=float(preset.get("price_out") or 0),
        )
    return result


def how_to_configure() -> str:
    return _(
        "No AI model is configured on this server. Set LLM_BASE_URL, LLM_API_KEY and LLM_MODEL in the "
        "server's environment (any OpenAI-compatible endpoint: OpenAI, DeepSeek, Qwen, Ollama, vLLM; "
        "see LLM_PRESETS in writersroom/settings.py) and restart the web server and the worker."
    )


def endpoint_for(*, project) -> Endpoint:
    """The endpoint and model this series uses; NotConfigured says what is missing."""
    endpoints = configured_endpoints()
    if not endpoints:
        raise NotConfigured(how_to_configure())
    if project.ai_endpoint:
        endpoint = endpoints.get(project.ai_endpoint)
        if endpoint is None:
            raise NotConfigured(
                _(
                    "This series uses the AI endpoint “%(name)s”, which this server no longer offers. "
                    "The showrunner can pick another in the AI settings."
                )
                % {"name": project.ai_endpoint}
            )
    else:
        endpoint = next(iter(endpoints.values()))
    model = (project.ai_model or endpoint.model).strip()
    if not model:
        raise NotConfigured(
            _(
                "No model is set for the AI endpoint “%(name)s”. The showrunner can name one in the AI "
                "settings, or the server can set its model variable."
            )
            % {"name": endpoint.label}
        )
    return replace(endpoint, model=model)


def make_client(endpoint: Endpoint) -> openai.OpenAI:
    timeout = openai.Timeout(
        settings.LLM_READ_TIMEOUT,
        connect=settings.LLM_CONNECT_TIMEOUT,
        write=settings.LLM_CONNECT_TIMEOUT * 2,
    )
    # Retries are ours (see complete()): the client's own would wait up to two minutes on a Retry-After.
    return openai.OpenAI(
        api_key=endpoint.api_key() or "not-needed",  # local servers take any key; the client wants one
        base_url=endpoint.base_url,
        timeout=timeout,
        max_retries=0,
    )


def list_models(*, endpoint: Endpoint, timeout: float | None = None) -> list[str]:
    """The model names the endpoint offers (GET /models), for the settings page."""
    with make_client(endpoint) as client:
        if timeout is not None:
            client = client.with_options(timeout=openai.Timeout(timeout, connect=min(timeout, 2.0)))
        return sorted(m.id for m in client.models.list())


# The settings page asks the endpoint which models it has; an endpoint that is slow or down must not
# hold the page, and every showrunner's visit need not ask again.
MODELS_TIMEOUT = 3.0
MODELS_CACHE_SECONDS = 600
MAX_OFFERED_MODELS = 300


def offered_models(*, endpoint: Endpoint) -> list[str]:
    """The names the endpoint offers, to pick from (remembered a while); [] if it won't say. The
    names come from the endpoint: shown escaped, never trusted beyond being a name to pick."""
    from django.core.cache import cache

    key = f"ai-models:{endpoint.name}:{endpoint.base_url}"
    found = cache.get(key)
    if found is not None:
        return found
    try:
        names = list_models(endpoint=endpoint, timeout=MODELS_TIMEOUT)
    except Exception:  # an endpoint without /models, down, or refusing the key: type the name instead
        log.info("could not list the models of %s", endpoint.name, exc_info=True)
        cache.set(key, [], 60)
        return []
    names = [n[:200] for n in names if isinstance(n, str) and n.strip()][:MAX_OFFERED_MODELS]
    cache.set(key, names, MODELS_CACHE_SECONDS)
    return names


# ---- Structured output ---------------------------------------------------------------------------


def response_format(*, endpoint: Endpoint, name: str, schema: dict | None) -> dict | None:
    """json_schema where the endpoint supports it, else json_object (the prompt then says "JSON")."""
    if schema is None:
        return None
    if endpoint.json_schema:
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}
    return {"type": "json_object"}


# ---- One streamed answer -------------------------------------------------------------------------


def estimate_cost(*, endpoint: Endpoint, tokens_in: int, tokens_out: int) -> float:
    return (tokens_in * endpoint.price_in + tokens_out * endpoint.price_out) / 1_000_000


def complete(
    *,
    endpoint: Endpoint,
    messages: list[dict],
    max_tokens: int,
    response_format: dict | None = None,
    on_text: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    max_retries: int | None = None,
    spent: Spent | None = None,
    before_retry: Callable[[Spent, ModelError], None] | None = None,
) -> Answer:
    """Stream one answer to the end; `on_text(text_so_far)` after each chunk.

    Every attempt's tokens are added to `spent` (the Answer's and the errors' own counts are the
    last attempt's). `before_retry(spent, error)` runs before each retry and may refuse it by raising
    (the budget: a retried prompt is paid again, and the attempt before it may have been paid too).

    Raises Cancelled when `should_stop()` turned true, ModelError with a readable reason otherwise."""
    retries = settings.LLM_MAX_RETRIES if max_retries is None else max_retries
    spent = spent if spent is not None else Spent()
    attempt = 0
    usage_option = True
    while True:
        try:
            return _stream_once(
                endpoint, messages, max_tokens, response_format, on_text, should_stop, spent, usage_option
            )
        except ModelError as error:
            if isinstance(error, Cancelled) or not error.retryable:
                raise
            # An endpoint that refuses part of the request is asked again without it, each part at
            # most once (so this ends), and without spending a retry meant for a flaky network:
            # json_schema, then json_object, then none (every structured prompt describes its JSON and
            # the answer is validated either way); the usage report in the stream (counted here then).
            if error.code == "bad_format" and response_format is not None:
                response_format = (
                    {"type": "json_object"} if response_format["type"] == "json_schema" else None
                )
                continue
            if error.code == "bad_option" and usage_option:
                usage_option = False
                continue
            if attempt >= retries:
                raise
            if before_retry is not None:
                before_retry(spent, error)
            delay = error.retry_after if error.retry_after is not None else _backoff(attempt)
            attempt += 1
            log.info(
                "model call to %s failed (%s); retry %s in %.1fs", endpoint.name, error.code, attempt, delay
            )
            _sleep(delay, should_stop)


def _backoff(attempt: int) -> float:
    return min(0.5 * 2**attempt, 8.0) * (1 - 0.25 * random.random())


def _sleep(seconds: float, should_stop: Callable[[], bool] | None) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if should_stop is not None and should_stop():
            raise Cancelled()
        time.sleep(min(left, CANCEL_POLL_SECONDS))


class _Watcher(threading.Thread):
    """Polls should_stop() and shuts the request's socket down: a blocked read returns at once."""

    def __init__(self, should_stop: Callable[[], bool]) -> None:
        super().__init__(name="ai-cancel-watch", daemon=True)
        self.should_stop = should_stop
        self.stream = None
        self.stopped = threading.Event()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(CANCEL_POLL_SECONDS):
            try:
                stop = self.should_stop()
            except Exception:  # a hiccup in the check must not kill the request
                log.exception("cancel check failed")
                continue
            if stop:
                self.stopped.set()
                self.close()
                return

    def close(self) -> None:
        stream = self.stream
        if stream is None:
            return
        network = stream.response.extensions.get("network_stream")
        sock = network.get_extra_info("socket") if network is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        try:
            stream.close()
        except Exception:
            pass


def _stream_once(
    endpoint, messages, max_tokens, fmt, on_text, should_stop, spent: Spent, usage_option: bool = True
) -> Answer:
    if should_stop is not None and should_stop():
        raise Cancelled()
    kwargs: dict = {"model": endpoint.model, "messages": messages, "max_tokens": max_tokens, "stream": True}
    if usage_option:
        kwargs["stream_options"] = {"include_usage": True}
    if fmt is not None:
        kwargs["response_format"] = fmt
    watcher = _Watcher(should_stop) if should_stop is not None else None
    if watcher is not None:
        watcher.start()
    parts: list[str] = []
    finish_reason = None
    usage = None
    opened = False
    model = endpoint.model
    client = make_client(endpoint)
    try:
        try:
            stream = client.chat.completions.create(**kwargs)
            opened = True  # the endpoint is answering: from here on the attempt is paid for
            if watcher is not None:
                watcher.stream = stream
                if watcher.stopped.is_set():
                    watcher.close()
            for chunk in stream:
                if chunk.usage is not None:
                    usage = chunk.usage
                model = chunk.model or model
                for choice in chunk.choices:
                    if choice.delta is not None and choice.delta.content:
                        parts.append(choice.delta.content)
                        if on_text is not None:
                            on_text("".join(parts))
                    if choice.finish_reason:
                        finish_reason = choice.finish_reason
                if watcher is not None and watcher.stopped.is_set():
                    break
        except openai.APIStatusError as exc:
            raise _status_error(exc, endpoint) from exc
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            if watcher is not None and watcher.stopped.is_set():
                tokens_in, tokens_out = _tokens(usage, messages, "".join(parts))
                raise Cancelled(partial="".join(parts), tokens_in=tokens_in, tokens_out=tokens_out) from exc
            text = "".join(parts)
            timed_out = isinstance(exc, openai.APITimeoutError)
            reason = (
                _("The AI endpoint stopped answering (timed out after %(s)s s).")
                % {"s": settings.LLM_READ_TIMEOUT}
                if timed_out
                else _("The connection to the AI endpoint failed or was cut.")
            )
            raise ModelError(
                reason, code="timeout" if timed_out else "connection", retryable=not text, partial=text
            ) from exc
    finally:
        if watcher is not None:
            watcher.done.set()
        client.close()
        if opened:
            # However the attempt ended, even by an exception raised midway (Celery's soft time
            # limit arrives as one), what was sent and received so far counts.
            spent.add(*_tokens(usage, messages, "".join(parts)))
    text = "".join(parts)
    tokens_in, tokens_out = _tokens(usage, messages, text)
    if watcher is not None and watcher.stopped.is_set():
        raise Cancelled(partial=text, tokens_in=tokens_in, tokens_out=tokens_out)
    if finish_reason is None:
        raise ModelError(
            _("The answer was cut off midway (the stream ended without finishing)."),
            code="cut",
            retryable=not text,
            partial=text,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
        )
    if finish_reason == "length":
        raise ModelError(
            _("The answer reached the output limit of %(n)s tokens before it was complete.")
            % {"n": max_tokens},
            code="length",
            partial=text,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
        )
    if finish_reason == "content_filter":
        raise ModelError(
            _("The provider's content filter stopped the answer."),
            code="content_filter",
            partial=text,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
        )
    return Answer(
        text=text, finish_reason=finish_reason, tokens_in=tokens_in, tokens_out=tokens_out, model=model
    )


def _tokens(usage, messages: list[dict], text: str) -> tuple[int, int]:
    if usage is not None:
        return int(usage.prompt_tokens or 0), int(usage.completion_tokens or 0)
    # Not every server reports usage in a stream; count it ourselves (the same estimate budgets use).
    from .context import count_tokens

    return sum(count_tokens(str(m.get("content", ""))) for m in messages), count_tokens(text)


# What an endpoint's refusal of structured output says (OpenAI, vLLM, llama.cpp, LM Studio, Ollama word it
# differently); such a refusal is answered by asking again with less structure, never by giving up.
_FORMAT_WORDS = ("response_format", "json_schema", "json_object", "structured output", "grammar")


def _status_error(exc: openai.APIStatusError, endpoint: Endpoint) -> ModelError:
    status = exc.status_code
    detail = _detail(exc)
    if status in (401, 403):
        return ModelError(
            _("The AI endpoint refused the API key (%(status)s). Check %(env)s in the server's environment.")
            % {"status": status, "env": endpoint.api_key_env or "the key variable"},
            code="auth",
        )
    if status == 404:
        return ModelError(
            _("The AI endpoint has no model “%(model)s” (404).") % {"model": endpoint.model}, code="not_found"
        )
    if status == 429:
        retry_after = _retry_after(exc)
        if retry_after is not None and retry_after > settings.LLM_MAX_RETRY_AFTER:
            return ModelError(
                _("The AI endpoint is rate limiting this server and asks to wait %(s)d s. Try again later.")
                % {"s": retry_after},
                code="rate_limited",
            )
        return ModelError(
            _("The AI endpoint is rate limiting this server (429)."),
            code="rate_limited",
            retryable=True,
            retry_after=retry_after,
        )
    lowered = detail.lower()
    if status in (400, 422) and "stream_options" in lowered:
        return ModelError(
            _("The AI endpoint refused a request option: %(detail)s") % {"detail": detail},
            code="bad_option",
            retryable=True,
            retry_after=0,
        )
    if status in (400, 422) and any(word in lowered for word in _FORMAT_WORDS):
        return ModelError(
            _("The AI endpoint refused the structured-output request: %(detail)s") % {"detail": detail},
            code="bad_format",
            retryable=True,
            retry_after=0,
        )
    if status >= 500 or status in (408, 409):
        return ModelError(
            _("The AI endpoint had an error (%(status)s).") % {"status": status},
            code="server",
            retryable=True,
        )
    return ModelError(
        _("The AI endpoint refused the request (%(status)s): %(detail)s")
        % {"status": status, "detail": detail},
        code="refused",
    )


def _detail(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error")
        message = error.get("message") if isinstance(error, dict) else body.get("message")
        if message:
            return str(message)[:300]
    return str(exc.message or "")[:300]


def _retry_after(exc: openai.APIStatusError) -> float | None:
    headers = exc.response.headers if exc.response is not None else {}
    for name, divisor in (("retry-after-ms", 1000), ("retry-after", 1)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / divisor)
        except ValueError:
            continue
    return None
