"""The model client against a local OpenAI-wire server: streaming, structured output and every fault."""

from __future__ import annotations

import threading
import time

import pytest

from scripts_app.ai import client, schemas
from scripts_app.ai.client import Cancelled, ModelError

from .fake_openai import FakeOpenAI, Reply, fake_llm_fixture  # noqa: F401

MESSAGES = [{"role": "system", "content": "rules"}, {"role": "user", "content": "Answer in JSON."}]


def endpoint(server: FakeOpenAI, *, json_schema: bool = True) -> client.Endpoint:
    return client.Endpoint(
        name="fake",
        label="Fake",
        base_url=server.base_url,
        api_key_env="FAKE_LLM_KEY",
        model="fake-model",
        json_schema=json_schema,
        price_in=1.0,
        price_out=2.0,
    )


def ask(server, **kwargs) -> client.Answer:
    return client.complete(endpoint=endpoint(server), messages=MESSAGES, max_tokens=100, **kwargs)


def test_it_streams_an_answer_with_its_usage_and_the_key_from_the_environment(fake_llm) -> None:
    fake_llm.script(Reply(text="第一场：林晚推门而入。", usage=(120, 11)))
    seen = []
    answer = ask(fake_llm, on_text=seen.append)
    assert answer.text == "第一场：林晚推门而入。"
    assert (answer.tokens_in, answer.tokens_out, answer.finish_reason) == (120, 11, "stop")
    assert seen[-1] == answer.text and len(seen) > 1  # it arrived in chunks
    request = fake_llm.requests[-1]
    assert request["stream"] is True and request["stream_options"] == {"include_usage": True}
    assert request["_authorization"] == "Bearer sk-test-key"


def test_it_asks_for_json_schema_where_the_endpoint_supports_it_and_json_object_elsewhere(fake_llm) -> None:
    schema = schemas.strict_schema(schemas.BeatsProposal)
    fmt = client.response_format(endpoint=endpoint(fake_llm), name="beats", schema=schema)
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["additionalProperties"] is False
    fallback = client.response_format(
        endpoint=endpoint(fake_llm, json_schema=False), name="beats", schema=schema
    )
    assert fallback == {"type": "json_object"}
    fake_llm.script('{"beats": [{"text": "a"}]}')
    ask(fake_llm, response_format=fmt)
    assert fake_llm.requests[-1]["response_format"]["type"] == "json_schema"


def test_it_refuses_a_bad_key_at_once_and_names_the_variable_to_check(fake_llm) -> None:
    fake_llm.script(Reply(status=401, text="Incorrect API key provided"))
    with pytest.raises(ModelError) as caught:
        ask(fake_llm)
    assert caught.value.code == "auth" and "FAKE_LLM_KEY" in str(caught.value)
    assert "sk-test-key" not in str(caught.value)
    assert len(fake_llm.requests) == 1


def test_it_waits_as_long_as_retry_after_says_then_gets_the_answer(fake_llm) -> None:
    fake_llm.script(Reply(status=429, retry_after=1), Reply(text="ok"))
    started = time.monotonic()
    assert ask(fake_llm).text == "ok"
    assert time.monotonic() - started >= 1.0
    assert len(fake_llm.requests) == 2


def test_it_gives_up_at_once_when_retry_after_is_longer_than_it_may_wait(fake_llm) -> None:
    fake_llm.script(Reply(status=429, retry_after=600))
    with pytest.raises(ModelError) as caught:
        ask(fake_llm)
    assert caught.value.code == "rate_limited" and "600" in str(caught.value)
    assert len(fake_llm.requests) == 1


def test_it_retries_a_server_error_before_the_first_token(fake_llm) -> None:
    fake_llm.script(Reply(status=500), Reply(status=503), Reply(text="ok"))
    assert ask(fake_llm).text == "ok"
    assert len(fake_llm.requests) == 3


def test_it_says_what_went_wrong_when_the_server_keeps_failing(fake_llm) -> None:
    fake_llm.script(Reply(status=500), Reply(status=500), Reply(status=500), Reply(text="never"))
    with pytest.raises(ModelError) as caught:
        ask(fake_llm)
    assert caught.value.code == "server" and "500" in str(caught.value)
    assert fake_llm.pending == 1


def test_a_silent_endpoint_times_out_instead_of_hanging(fake_llm, settings) -> None:
    settings.LLM_READ_TIMEOUT = 0.5
    fake_llm.script(Reply(text="late", delay=2))
    started = time.monotonic()
    with pytest.raises(ModelError) as caught:
        client.complete(endpoint=endpoint(fake_llm), messages=MESSAGES, max_tokens=10, max_retries=0)
    assert caught.value.code == "timeout" and "timed out" in str(caught.value)
    assert time.monotonic() - started < 1.8


def test_a_stream_cut_midway_is_not_a_complete_answer_and_keeps_its_partial_text(fake_llm) -> None:
    fake_llm.script(Reply(text="林晚：这一次，我不会再忍。", chunk_size=3, cut_after=2))
    with pytest.raises(ModelError) as caught:
        ask(fake_llm)
    assert caught.value.code == "cut" and caught.value.partial == "林晚：这一次"
    assert len(fake_llm.requests) == 1  # tokens had arrived: not retried


def test_a_stream_cut_before_its_first_token_is_retried(fake_llm) -> None:
    fake_llm.script(Reply(text="lost", cut_after=0), Reply(text="ok"))
    assert ask(fake_llm).text == "ok"


def test_an_answer_stopped_at_the_output_limit_is_not_complete(fake_llm) -> None:
    fake_llm.script(Reply(text="half a scene", finish_reason="length"))
    with pytest.raises(ModelError) as caught:
        ask(fake_llm)
    assert caught.value.code == "length" and caught.value.partial == "half a scene"


def test_it_falls_back_to_json_object_when_an_endpoint_refuses_json_schema(fake_llm) -> None:
    fake_llm.script(Reply(status=400, text="response_format json_schema is not supported"), Reply(text="{}"))
    fmt = client.response_format(endpoint=endpoint(fake_llm), name="beats", schema={"type": "object"})
    ask(fake_llm, response_format=fmt)
    assert [r["response_format"]["type"] for r in fake_llm.requests] == ["json_schema", "json_object"]


def test_an_endpoint_without_structured_output_is_asked_for_plain_json(fake_llm) -> None:
    fake_llm.script(
        Reply(status=400, text="json_schema is not supported by this model"),
        Reply(status=422, text="Unknown field: response_format"),
        Reply(text="{}"),
    )
    fmt = client.response_format(endpoint=endpoint(fake_llm), name="beats", schema={"type": "object"})
    assert ask(fake_llm, response_format=fmt, max_retries=0).text == "{}"
    sent = [r.get("response_format", {}).get("type") for r in fake_llm.requests]
    assert sent == ["json_schema", "json_object", None]


def test_an_endpoint_that_refuses_the_usage_option_is_asked_without_it(fake_llm) -> None:
    fake_llm.script(Reply(status=400, text="Unrecognized request argument supplied: stream_options"), "ok")
    assert ask(fake_llm, max_retries=0).text == "ok"
    assert "stream_options" in fake_llm.requests[0] and "stream_options" not in fake_llm.requests[1]


def test_cancelling_closes_the_connection_even_while_the_model_is_silent(fake_llm) -> None:
    fake_llm.script(Reply(text="一二三四五六七八九十" * 4, chunk_size=2, chunk_delay=0.5))
    stop = threading.Event()
    threading.Timer(0.8, stop.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled) as caught:
        ask(fake_llm, should_stop=stop.is_set)
    assert time.monotonic() - started < 1.6  # not the 10 s the whole answer would take
    assert caught.value.partial.startswith("一二")
    deadline = time.monotonic() + 3
    while fake_llm.disconnects == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert fake_llm.disconnects == 1  # the server saw the request go away


def test_the_endpoint_lists_its_models(fake_llm) -> None:
    assert client.list_models(endpoint=endpoint(fake_llm)) == ["fake-model"]


def test_a_series_without_a_configured_endpoint_is_told_how_to_configure_one(settings) -> None:
    settings.LLM_ENDPOINTS = {}

    class Series:
        ai_endpoint = ""
        ai_model = ""

    with pytest.raises(client.NotConfigured) as caught:
        client.endpoint_for(project=Series())
    assert "LLM_BASE_URL" in str(caught.value) and "LLM_MODEL" in str(caught.value)


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("", "empty"),
        ("{not json", "invalid_json"),
        ('{"beats": "none"}', "wrong_shape"),
        ("[1, 2]", "wrong_shape"),
    ],
)
def test_an_unusable_json_answer_says_what_is_wrong(answer: str, code: str) -> None:
    with pytest.raises(schemas.BadAnswer) as caught:
        schemas.parse("beats", answer)
    assert caught.value.code == code


def test_a_json_answer_in_a_code_fence_is_read() -> None:
    parsed = schemas.parse("beats", '```json\n{"beats": [{"text": " 重生 "}]}\n```')
    assert parsed.beats[0].text == "重生"
