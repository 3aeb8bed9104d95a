"""The LLM layer against a real vLLM server on the CPU."""

import asyncio
import json
import re

import pytest

from agentkit.budget import Budget, Limits
from agentkit.errors import BudgetExceededError, ContextWindowExceededError, StructuredOutputError
from agentkit.llm import LLM, CallLabels, StructuredOutput, VLLMServer
from agentkit.trace import TraceWriter, read_trace
from agentkit.types import as_messages

pytestmark = pytest.mark.integration


async def test_generation_usage_matches_our_count_exactly(smol_llm):
    prompt = "Name one colour of the rainbow."
    c = await smol_llm.generate(prompt, max_tokens=12, labels=CallLabels(run="exact"))
    assert c.text.strip()
    assert c.usage.prompt_tokens == smol_llm.tokenizer.count_messages(as_messages(prompt))
    assert 0 < c.usage.completion_tokens <= 12
    assert smol_llm.ledger.total(run="exact").usage == c.usage


async def test_json_schema_output_parses(smol_llm):
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "year": {"type": "integer"}},
        "required": ["city", "year"],
        "additionalProperties": False,
    }
    c = await smol_llm.generate(
        "Return a city and a year as JSON.",
        max_tokens=60,
        structured=StructuredOutput(json_schema=schema),
    )
    data = json.loads(c.text)
    assert isinstance(data["city"], str) and isinstance(data["year"], int)


async def test_regex_output_matches(smol_llm):
    pattern = r"(yes|no) because [a-z ]{5,30}\."
    c = await smol_llm.generate(
        "Is water wet?", max_tokens=30, structured=StructuredOutput(regex=pattern)
    )
    assert re.fullmatch(pattern, c.text), c.text


async def test_many_requests_in_flight_each_get_exact_usage(smol_llm):
    prompts = [f"Write the number {i} in words." for i in range(8)]
    outs = await asyncio.gather(
        *[smol_llm.generate(p, max_tokens=8, labels=CallLabels(run="conc")) for p in prompts]
    )
    for p, c in zip(prompts, outs, strict=True):
        assert c.usage.prompt_tokens == smol_llm.tokenizer.count_messages(as_messages(p))
    assert smol_llm.ledger.total(run="conc").calls == 8


async def test_streaming_reports_usage(smol_llm):
    pieces: list[str] = []
    c = await smol_llm.generate("Count from one to five.", max_tokens=16, on_token=pieces.append)
    assert "".join(pieces) == c.text
    assert c.usage.completion_tokens > 0 and c.usage.prompt_tokens > 0


async def test_n_choices_and_prefix_cache(smol_llm):
    c = await smol_llm.generate("Say a fruit.", max_tokens=5, n=2, temperature=0.9, seed=1)
    assert len(c.texts) == 2
    long = "The quick brown fox jumps over the lazy dog. " * 20
    await smol_llm.generate(long + "Summarise.", max_tokens=4)
    again = await smol_llm.generate(long + "Summarise.", max_tokens=4)
    assert again.usage.cached_tokens > 0


async def test_refusals_happen_before_sending(smol_llm):
    calls_before = smol_llm.ledger.total().calls
    with pytest.raises(ContextWindowExceededError):
        await smol_llm.generate("word " * 5000, max_tokens=10)
    tracker = Budget(run=Limits(total_tokens=30)).tracker()
    with pytest.raises(BudgetExceededError):
        await smol_llm.generate("Hello there, how are you today?", max_tokens=64, budget=tracker)
    with pytest.raises(StructuredOutputError):
        await smol_llm.generate("x", structured=StructuredOutput(json_schema={"type": 5}))
    assert smol_llm.ledger.total().calls == calls_before


async def test_server_rejects_an_unsatisfiable_grammar_with_a_typed_error(smol_llm):
    with pytest.raises(StructuredOutputError):
        await smol_llm.generate(
            "x", max_tokens=5, structured=StructuredOutput(grammar="root ::= (")
        )


async def test_trace_records_prompts_outputs_and_usage(smol_llm, tmp_path):
    path = tmp_path / "trace.jsonl"
    TraceWriter(path).attach(smol_llm.ledger)
    c = await smol_llm.generate("Say hi.", max_tokens=4, labels=CallLabels(run="traced"))
    row = next(r for r in read_trace(path) if r["labels"]["run"] == "traced")
    assert row["output"] == [c.text]
    assert row["usage"]["prompt_tokens"] == c.usage.prompt_tokens
    assert row["messages"][0]["content"] == "Say hi."


def test_a_second_start_reuses_the_running_server(smol_llm):
    from agentkit.llm import ServerConfig

    srv = VLLMServer(ServerConfig(model="smollm2-135m", served_name="smollm2-135m")).start()
    assert srv.owned is False
    assert srv.base_url + "/v1" == smol_llm.base_url


def test_sync_wrapper(smol_llm):
    c = smol_llm.generate_sync("Say ok.", max_tokens=3)
    assert c.usage.completion_tokens > 0


@pytest.mark.qwen
async def test_qwen_answers_a_fact_and_counts_exactly(qwen_llm):
    q = "What is the capital of France? Answer with one word."
    c = await qwen_llm.generate(q, max_tokens=8)
    assert "paris" in c.text.lower()
    assert c.usage.prompt_tokens == qwen_llm.tokenizer.count_messages(as_messages(q))


async def test_an_empty_system_message_drops_the_template_persona(qwen_llm):
    q = "What is the capital of France? Answer with one word."
    bare = LLM(qwen_llm.base_url, qwen_llm.model, tokenizer=qwen_llm.tokenizer, system="")
    try:
        plain, lean = await asyncio.gather(
            qwen_llm.generate(q, max_tokens=8), bare.generate(q, max_tokens=8)
        )
    finally:
        await bare.aclose()
    assert "paris" in lean.text.lower()
    assert lean.usage.prompt_tokens < plain.usage.prompt_tokens  # Qwen's persona is not sent
    counted = bare.tokenizer.count_messages(
        as_messages([{"role": "system", "content": ""}, {"role": "user", "content": q}])
    )
    assert lean.usage.prompt_tokens == counted
