"""Control flow of the LLM client over a mock HTTP transport (no server needed)."""

import json

import httpx
import pytest

from agentkit.budget import Budget, Limits
from agentkit.errors import (
    BudgetExceededError,
    ContextWindowExceededError,
    LLMError,
    ModelNotFoundError,
    ServerUnreachableError,
    StructuredOutputError,
)
from agentkit.llm import LLM, CallLabels, StructuredOutput
from agentkit.tokens import ByteCounter

MODELS = {"data": [{"id": "m", "root": "/nowhere", "max_model_len": 2000}]}

pytestmark = pytest.mark.model_requests  # requests go to an httpx.MockTransport


def _ok(text="hi", p=7, c=2):
    return {
        "choices": [{"message": {"content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": p, "completion_tokens": c, "prompt_tokens_details": None},
    }


def _llm(handler, **kw) -> LLM:
    def route(req: httpx.Request) -> httpx.Response:
        if req.url.path.endswith("/models"):
            return httpx.Response(200, json=MODELS)
        return handler(req)

    return LLM(
        "http://test", "m", tokenizer=ByteCounter(), transport=httpx.MockTransport(route), **kw
    )


async def test_usage_and_ledger_come_from_the_server():
    llm = _llm(lambda r: httpx.Response(200, json=_ok(p=11, c=3)))
    c = await llm.generate("q", labels=CallLabels(run="r", role="solver"))
    assert (c.text, c.usage.prompt_tokens, c.usage.completion_tokens) == ("hi", 11, 3)
    assert llm.ledger.by("role", run="r")["solver"].usage.total_tokens == 14


async def test_transient_errors_are_retried_then_succeed():
    calls = []

    def handler(req):
        calls.append(1)
        return (
            httpx.Response(503, json={"error": {"message": "busy"}})
            if len(calls) < 3
            else (httpx.Response(200, json=_ok()))
        )

    llm = _llm(handler, max_retries=3)
    assert (await llm.generate("q")).text == "hi"
    assert len(calls) == 3


async def test_client_errors_are_not_retried_and_are_typed():
    calls = []

    def handler(req):
        calls.append(1)
        return httpx.Response(400, json={"error": {"message": "Invalid grammar: bad rule"}})

    with pytest.raises(StructuredOutputError, match="bad rule"):
        await _llm(handler).generate("q")
    assert len(calls) == 1


async def test_structured_output_is_sent_in_vllm_form():
    seen = {}

    def handler(req):
        seen.update(json.loads(req.content))
        return httpx.Response(200, json=_ok('{"a": 1}'))

    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    await _llm(handler).generate("q", structured=StructuredOutput(json_schema=schema))
    assert seen["structured_outputs"] == {"json": schema}


async def test_a_default_system_message_goes_before_prompts_without_one():
    sent = []

    def handler(req):
        sent.append(json.loads(req.content)["messages"])
        return httpx.Response(200, json=_ok())

    llm = _llm(handler, system="")
    await llm.generate("q")
    await llm.generate([{"role": "system", "content": "mine"}, {"role": "user", "content": "q"}])
    await _llm(handler).generate("q")
    assert [m["role"] for m in sent[0]] == ["system", "user"] and sent[0][0]["content"] == ""
    assert [m["content"] for m in sent[1]] == ["mine", "q"]  # its own system message is kept
    assert [m["role"] for m in sent[2]] == ["user"]  # default: the chat template decides


async def test_invalid_schema_and_regex_are_refused_before_sending():
    llm = _llm(lambda r: pytest.fail("must not send"))
    with pytest.raises(StructuredOutputError, match="invalid JSON schema"):
        await llm.generate("q", structured=StructuredOutput(json_schema={"type": "nonsense"}))
    with pytest.raises(StructuredOutputError, match="invalid regex"):
        await llm.generate("q", structured=StructuredOutput(regex="(unclosed"))


async def test_context_window_is_checked_before_sending():
    llm = _llm(lambda r: pytest.fail("must not send"))
    with pytest.raises(ContextWindowExceededError, match="2000-token context"):
        await llm.generate("word " * 500, max_tokens=10)


async def test_budget_is_checked_before_sending():
    llm = _llm(lambda r: pytest.fail("must not send"), budget=Budget(run=Limits(total_tokens=20)))
    with pytest.raises(BudgetExceededError):
        await llm.generate("q", max_tokens=50)


async def test_unknown_model_lists_what_the_server_serves():
    llm = LLM(
        "http://test",
        "other",
        tokenizer=ByteCounter(),
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json=MODELS)),
    )
    with pytest.raises(ModelNotFoundError, match="it serves: m"):
        await llm.generate("q")


async def test_unreachable_server_names_the_fix():
    llm = LLM("http://127.0.0.1:9", "m", tokenizer=ByteCounter())
    with pytest.raises(ServerUnreachableError, match="agentkit serve start"):
        await llm.generate("q")


async def test_streaming_collects_text_and_final_usage():
    chunks = [
        {"choices": [{"index": 0, "delta": {"content": "Pa"}}]},
        {"choices": [{"index": 0, "delta": {"content": "ris"}, "finish_reason": "stop"}]},
        {"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 2}},
    ]
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    llm = _llm(lambda r: httpx.Response(200, text=body))
    seen: list[str] = []
    c = await llm.generate("q", on_token=seen.append)
    assert (c.text, seen, c.usage.total_tokens) == ("Paris", ["Pa", "ris"], 11)


async def test_auth_errors_say_what_to_set():
    llm = _llm(lambda r: httpx.Response(401, json={"error": {"message": "no"}}))
    with pytest.raises(LLMError, match="AGENTKIT_API_KEY"):
        await llm.generate("q")


def test_byte_counter_never_undercounts_a_real_bpe():
    from agentkit.tokens import ByteCounter

    text = "Überraschung! 北京 is the capital; tokens ≤ bytes for byte-level BPE."
    assert ByteCounter().count_text(text) >= len(text.split())


async def test_an_error_event_inside_a_stream_is_the_typed_error_it_names():
    event = {"error": {"message": "Regex compilation timed out", "type": "x", "code": 400}}
    body = b"data: " + json.dumps(event).encode() + b"\n\ndata: [DONE]\n\n"
    llm = _llm(lambda r: httpx.Response(200, content=body))
    with pytest.raises(StructuredOutputError, match="Regex compilation timed out"):
        await llm.generate("q", on_token=lambda t: None)
