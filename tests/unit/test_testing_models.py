"""agentkit.testing: texts valid for any constraint, FunctionModel's vLLM-like treatment of
replies, TestModel driving real planners, and forbidding real model requests."""

import asyncio
import json
import re
import sys

import httpx
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import agentkit.llm
from agentkit import Agent, ReAct, ReWOO
from agentkit.budget import Budget, Limits
from agentkit.errors import (
    BudgetExceededError,
    ContextWindowExceededError,
    ModelRequestsDisabledError,
    StructuredOutputError,
    TransientLLMError,
)
from agentkit.llm import LLM, CallLabels, Model, StructuredOutput
from agentkit.planners import RunContext, parse_plan, plan_regex
from agentkit.planners.smr import SMRAction, action_schema
from agentkit.testing import (
    FunctionModel,
    TestModel,
    WordCounter,
    grammars,
    in_order,
    override_allow_model_requests,
    sample_grammar,
    sample_regex,
    sample_schema,
    tool_input,
)
from agentkit.tokens import ByteCounter
from agentkit.tools import ToolRegistry, finish_tool, search_tool, tool
from agentkit.types import Message

DOCS = [
    ("Jaws (film)", "Jaws is a 1975 film directed by Steven Spielberg."),
    ("Steven Spielberg", "Spielberg attended California State University, Long Beach."),
]
TOOL_SETS = [["search"], ["search", "llm"], ["calc-2", "wiki_search", "llm"]]


@tool
def add(a: int, b: int = 1) -> int:
    """Add two integers."""
    return a + b


@tool
def between(low: int, high: int) -> str:
    """Two required arguments, so its input is JSON."""
    return f"{low}..{high}"


# -- regexes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("names", TOOL_SETS)
@pytest.mark.parametrize("max_steps", range(1, 7))
def test_plan_regex_texts_match_and_parse_for_every_seed(names, max_steps):
    regex = plan_regex(names, max_steps)
    assert sample_regex(regex) == f"Plan: a\n#E1 = {names[0]}[a]"  # seed 0: the simplest
    for seed in range(12):
        text = sample_regex(regex, seed=seed)
        assert re.fullmatch(regex, text), text
        plan = parse_plan(text)
        assert 1 <= len(plan.steps) <= max_steps
        assert {s.tool for s in plan.steps} <= set(names)


@settings(max_examples=40, deadline=None)
@given(
    names=st.lists(st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True), min_size=1),
    max_steps=st.integers(min_value=1, max_value=6),
    seed=st.integers(min_value=0, max_value=2**20),
)
def test_any_plan_regex_gets_a_matching_text(names, max_steps, seed):
    regex = plan_regex(names, max_steps)
    assert re.fullmatch(regex, sample_regex(regex, seed=seed))


@pytest.mark.parametrize(
    "regex",
    [
        r"\d{3}-\d{2,4}",
        r"(a|bc)\1x",
        r"(?i)hello\s+WORLD",
        r"[^\W\d_]+@[a-z]{2,}\.(?:com|org)",
        r"(?P<q>['\"])\w*(?P=q)",
        r"[\u00e9-\u00ff]{2}[^\x00-\x7f]",
        r"(?:(?!ab).)+z",
        r"(?>a+)b++c?",
        r"\bfoo\b\.",
        r"(a)?(?(1)b|c)",
        r"(?s).{3}",
        r"\{\"k\": \[\d(?:, \d)*\]\}",
    ],
)
def test_hard_regexes(regex):
    for seed in range(8):
        assert re.fullmatch(regex, sample_regex(regex, seed=seed))


@pytest.mark.parametrize("regex", [r"[^\s\S]", r"a\bb"])
def test_a_regex_nothing_matches_is_a_clear_error(regex):
    with pytest.raises(StructuredOutputError, match="no text matching"):
        sample_regex(regex)


# -- JSON schemas ------------------------------------------------------------------------------
@pytest.mark.parametrize("max_docs", [1, 2, 15])
def test_smr_actions_are_valid(max_docs):
    schema = action_schema(max_docs)
    assert sample_schema(schema) == {"action": "refine", "query": "a"}
    kinds = set()
    for seed in range(30):
        value = sample_schema(schema, seed=seed)
        jsonschema.validate(value, schema)
        kinds.add(SMRAction.model_validate(value).action)
    assert kinds == {"refine", "rerank", "stop"}  # other seeds reach every branch


def test_triplet_schema_instances():
    from agentkit.memory.graph.triplets import triplet_schema

    schema = triplet_schema(3, 12)
    assert sample_schema(schema) == []  # minimal: no triplets
    sizes = set()
    for seed in range(20):
        value = sample_schema(schema, seed=seed)
        jsonschema.validate(value, schema)
        sizes.add(len(value))
    assert max(sizes) > 0


GENERIC = {
    "type": "object",
    "properties": {
        "n": {"type": "integer", "exclusiveMinimum": 3, "multipleOf": 5},
        "x": {"type": "number", "exclusiveMaximum": -1},
        "code": {"type": ["string", "null"], "pattern": "^[A-Z]{2}\\d$"},
        "pick": {"enum": ["p", "q"]},
        "ids": {
            "type": "array",
            "items": {"$ref": "#/$defs/id"},
            "minItems": 2,
            "uniqueItems": True,
        },
        "flag": {"type": "boolean"},
        "either": {"oneOf": [{"type": "string", "maxLength": 0}, {"type": "integer"}]},
        "both": {"allOf": [{"properties": {"a": {"const": 1}}, "required": ["a"]}]},
        "word": {"type": "string", "minLength": 3, "maxLength": 5},
        "optional": {"type": "string"},
    },
    "required": ["n", "x", "code", "pick", "ids", "flag", "either", "both", "word"],
    "additionalProperties": False,
    "$defs": {"id": {"type": "integer", "minimum": 1, "maximum": 9}},
}


def test_generic_schema_minimal_instance_and_variations():
    value = sample_schema(GENERIC)
    assert value == {
        "n": 5,
        "x": -1.5,
        "code": "AA0",
        "pick": "p",
        "ids": value["ids"],
        "flag": False,
        "either": "",
        "both": {"a": 1},
        "word": "aaa",
    }
    assert len(value["ids"]) == 2 and len(set(value["ids"])) == 2
    for seed in range(25):
        jsonschema.validate(sample_schema(GENERIC, seed=seed), GENERIC)


def test_an_unsatisfiable_schema_is_a_clear_error():
    with pytest.raises(StructuredOutputError, match="no JSON value"):
        sample_schema({"type": "integer", "minimum": 5, "maximum": 2})


def test_tool_inputs_are_valid_for_the_tool():
    assert tool_input(search_tool(DOCS).spec) == "a"
    assert add.spec.text_argument == "a" and tool_input(add.spec) == "0"
    assert add.parse(tool_input(add.spec)).a == 0
    assert between.spec.text_argument is None
    for seed in range(5):
        args = between.parse(tool_input(between.spec, seed=seed))
        assert isinstance(args.low, int) and isinstance(args.high, int)


# -- grammars ----------------------------------------------------------------------------------
ARITHMETIC = r"""
start: expr
?expr: term (("+" | "-") term)*
?term: NUMBER | NAME | "(" expr ")"
NAME: /[a-z]+/
NUMBER: /[0-9]+/
%import common.WS
%ignore WS
"""


def test_grammar_sentences_parse():
    lark = pytest.importorskip("lark")
    parser = lark.Lark(ARITHMETIC, start="start")
    assert sample_grammar(ARITHMETIC) == "0"  # the shortest sentence: one term
    texts = {sample_grammar(ARITHMETIC, seed=seed) for seed in range(15)}
    for text in texts:
        parser.parse(text)
    assert any("+" in t or "-" in t or "(" in t for t in texts)


def test_grammars_without_lark_are_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "lark", None)  # import lark now fails
    grammars.lark_parser.cache_clear()
    try:
        with pytest.raises(StructuredOutputError, match="needs the `lark` package"):
            sample_grammar(ARITHMETIC)
    finally:
        grammars.lark_parser.cache_clear()


# -- FunctionModel -----------------------------------------------------------------------------
async def test_replies_are_cut_at_stop_strings_then_at_max_tokens():
    fm = FunctionModel(lambda messages, info: "one two three\nObservation: made up")
    cut = await fm.generate("q", stop=["Observation:"], max_tokens=10)
    assert (cut.text, cut.finish_reasons) == ("one two three\n", ["stop"])
    short = await fm.generate("q", max_tokens=2)
    assert (short.text, short.finish_reasons) == ("one two", ["length"])
    assert short.usage.completion_tokens == 2
    assert short.usage.prompt_tokens == WordCounter().count_messages(
        [Message(role="user", content="q")]
    )
    assert [c.reply for c in fm.calls] == ["one two three\nObservation: made up"] * 2


async def test_max_tokens_cut_with_another_tokenizer():
    fm = FunctionModel(lambda m, i: "Überraschung!", tokenizer=ByteCounter())
    reply = await fm.generate("q", max_tokens=4)
    assert reply.text == "Übe" and reply.finish_reasons == ["length"]  # Ü is two bytes


async def test_a_reply_vllm_could_not_produce_is_refused():
    fm = FunctionModel(lambda m, info: "abc" if info.labels.purpose == "bad" else "123 456")
    with pytest.raises(StructuredOutputError, match="does not match the requested regex"):
        await fm.generate(
            "q", structured=StructuredOutput(regex=r"\d+"), labels=CallLabels(purpose="bad")
        )
    # a matching reply may still be cut by max_tokens, as vLLM would
    ok = await fm.generate("q", structured=StructuredOutput(regex=r"\d+ \d+"), max_tokens=1)
    assert (ok.text, ok.finish_reasons) == ("123", ["length"])
    assert len(fm.ledger.records()) == 1 and len(fm.calls) == 2  # the refused call is not spent


@pytest.mark.parametrize("reply", ["not json", '{"action": "jump"}', '{"action": "stop", "x": 1}'])
async def test_json_replies_must_fit_the_schema(reply):
    fm = FunctionModel(lambda m, i: reply)
    with pytest.raises(StructuredOutputError, match="not JSON valid"):
        await fm.generate("q", structured=StructuredOutput(json_schema=action_schema(3)))


async def test_grammar_replies_are_checked_with_lark():
    pytest.importorskip("lark")
    fm = FunctionModel(lambda m, i: "a + (b - 1)" if i.labels.purpose == "ok" else "a +")
    grammar = StructuredOutput(grammar=ARITHMETIC)
    ok = await fm.generate("q", structured=grammar, labels=CallLabels(purpose="ok"))
    assert ok.text == "a + (b - 1)"
    with pytest.raises(StructuredOutputError, match="not in the requested grammar"):
        await fm.generate("q", structured=grammar)


async def test_labels_tools_and_settings_reach_the_function():
    seen = []

    async def fn(messages, info):
        seen.append((messages, info))
        return "Final Answer: x"

    fm = FunctionModel(fn, system="Be brief.")
    ctx = RunContext(llm=fm, run_id="r7", tools=ToolRegistry([search_tool(DOCS), add]))
    await ctx.at(3).generate(
        "hello", role="planner", purpose="plan", stop=["\n\n"], temperature=0.3
    )
    messages, info = seen[0]
    assert [(m.role, m.content) for m in messages] == [("system", "Be brief."), ("user", "hello")]
    assert (info.labels.run, info.labels.role, info.labels.step, info.labels.purpose) == (
        "r7",
        "planner",
        3,
        "plan",
    )
    assert [t.name for t in info.tools] == ["search", "add"]
    assert info.tools[0].usage == "search[query]" and info.tools[0].text_argument == "query"
    assert info.tools[0].parameters["required"] == ["query"]
    assert (info.stop, info.temperature, info.max_tokens, info.structured) == (
        ("\n\n",),
        0.3,
        256,
        None,
    )
    await ctx.generate("again", tools=())  # an explicit tools= wins
    assert seen[1][1].tools == ()


async def test_the_budget_is_checked_before_the_function_runs():
    fm = FunctionModel(lambda m, i: pytest.fail("must not be called"))
    tight = Budget(run=Limits(total_tokens=20)).tracker()
    with pytest.raises(BudgetExceededError, match="run total_tokens limit is 20"):
        await fm.generate("q", max_tokens=50, budget=tight)
    small = FunctionModel(lambda m, i: pytest.fail("must not be called"), context_window=30)
    with pytest.raises(ContextWindowExceededError, match="30-token context"):
        await small.generate("q", max_tokens=50)
    assert fm.calls == [] and small.calls == [] and fm.ledger.records() == []


async def test_spent_tokens_settle_into_the_budget():
    fm = FunctionModel(lambda m, i: "one two three")
    tracker = Budget(run=Limits(total_tokens=40)).tracker()
    first = await fm.generate("q", max_tokens=10, budget=tracker)
    assert tracker.spent == first.usage  # what the reply used, not max_tokens
    assert first.usage.total_tokens == 10
    with pytest.raises(BudgetExceededError):  # 10 spent + 26 prompt + 10 > 40
        await fm.generate("q " * 20, max_tokens=10, budget=tracker)
    assert len(fm.calls) == 1


async def test_a_slow_function_meets_the_call_wall_time_budget():
    async def slow(m, i):
        await asyncio.sleep(5)
        return "late"

    fm = FunctionModel(slow)
    with pytest.raises(BudgetExceededError, match=r"wall_time_s budget of 0\.05s"):
        await fm.generate("q", budget=Budget(call=Limits(wall_time_s=0.05)).tracker())


async def test_calls_are_recorded_in_the_ledger_with_their_detail():
    fm = FunctionModel(lambda m, i: ["A b", "c"])
    details = []
    fm.ledger.subscribe(lambda record, detail: details.append((record, detail)))
    labels = CallLabels(run="r", role="solver", step=2, purpose="answer")
    seen = []
    reply = await fm.generate("q", n=2, labels=labels, seed=7, on_token=seen.append)
    assert reply.texts == ["A b", "c"] and reply.usage.completion_tokens == 3
    assert seen == ["A b"] and reply.model == "function" and reply.latency_s > 0
    ((record, detail),) = details
    assert record.labels == labels and record.usage == reply.usage
    assert detail == {
        "messages": [{"role": "user", "content": "q"}],
        "output": ["A b", "c"],
        "params": {"max_tokens": 256, "temperature": 0.0, "n": 2, "seed": 7},
        "counted_prompt_tokens": reply.usage.prompt_tokens,
    }
    assert fm.ledger.by("role", run="r")["solver"].calls == 1
    with pytest.raises(ValueError, match="2 replies for n=3"):
        await fm.generate("q", n=3)


async def test_errors_the_function_raises_reach_the_caller():
    def failing(m, i):
        raise TransientLLMError("engine died")

    with pytest.raises(TransientLLMError, match="engine died"):
        await FunctionModel(failing).generate("q")
    scripted = FunctionModel(in_order(["one"]))
    assert (await scripted.generate("q")).text == "one"
    with pytest.raises(RuntimeError, match="no scripted reply left for call 2"):
        await scripted.generate("q")


def test_sync_use_and_the_model_protocol():
    fm = FunctionModel(lambda m, i: "hi")
    closed = []
    fm.on_close.append(lambda: closed.append(True))
    assert fm.generate_sync("q").text == "hi"
    fm.close()
    assert closed == [True]
    assert isinstance(fm, Model) and isinstance(TestModel(), Model)


# -- TestModel driving real planners -----------------------------------------------------------
async def test_react_calls_each_tool_once_then_finishes():
    model = TestModel(custom_output_text="Steven Spielberg")
    agent = Agent(model, ReAct(), [search_tool(DOCS), add])
    result = await agent.run("Who directed Jaws?", run_id="one")
    assert result.error is None and result.answer == "Steven Spielberg"
    assert [(s.tool, s.input, s.ok) for s in result.steps] == [
        ("search", "a", True),
        ("add", "0", True),
        ("finish", "Steven Spielberg", True),
    ]
    assert result.steps[1].observation.text == "1"
    assert [c.reply for c in model.calls] == [
        "Action: search[a]",
        "Action: add[0]",
        "Final Answer: Steven Spielberg",
    ]
    again = await agent.run("Who directed Jaws?", run_id="two")  # each run calls afresh
    assert [s.tool for s in again.steps] == ["search", "add", "finish"]


async def test_call_tools_chooses_which_tools_and_a_terminal_tool_finishes():
    model = TestModel(call_tools=["add"])
    tools = [search_tool(DOCS), add, finish_tool(name="done")]
    result = await Agent(model, ReAct(), tools).run("Sum?")
    assert [(s.tool, s.input) for s in result.steps] == [("add", "0"), ("done", "a")]
    none = await Agent(TestModel(call_tools=()), ReAct(), tools).run("Sum?")
    assert [s.tool for s in none.steps] == ["done"] and none.answer == "a"


async def test_react_last_step_follows_its_finish_regex():
    model = TestModel(custom_output_text="unused")
    agent = Agent(model, ReAct(max_steps=1), [search_tool(DOCS), add])
    result = await agent.run("Who?")
    last = model.calls[-1]
    assert last.info.labels.purpose == "last step" and last.info.structured.regex
    assert re.fullmatch(last.info.structured.regex, last.reply)
    assert last.reply == "Action: finish[a]" and result.answer == "a"
    for seed in range(1, 8):  # other seeds: other texts the regex accepts, still a finish
        varied = TestModel(seed=seed)
        out = await Agent(varied, ReAct(max_steps=1), [search_tool(DOCS)]).run("Who?")
        assert out.error is None and out.steps[-1].tool == "finish"
        assert re.fullmatch(varied.calls[-1].info.structured.regex, varied.calls[-1].reply)


async def test_rewoo_plans_within_its_regex_runs_the_plan_and_answers():
    model = TestModel(custom_output_text="Steven Spielberg")
    result = await Agent(model, ReWOO(), [search_tool(DOCS)]).run("Who directed Jaws?")
    assert result.error is None and result.answer == "Steven Spielberg"
    assert result.plan == "Plan: a\n#E1 = search[a]"
    assert [(s.tool, s.input, s.ok) for s in result.steps] == [("search", "a", True)]
    planner, solver = model.calls
    assert planner.info.labels.role == "planner" and planner.info.structured.regex
    assert solver.info.labels.role == "solver" and solver.reply == "Final Answer: Steven Spielberg"
    assert set(result.usage) == {"planner", "solver"}


# -- forbidding real requests ------------------------------------------------------------------
def _guarded_llm(chat):
    def route(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/models"):
            return httpx.Response(200, json={"data": [{"id": "m", "max_model_len": 2000}]})
        return chat(request)

    return LLM("http://test", "m", tokenizer=ByteCounter(), transport=httpx.MockTransport(route))


async def test_disallowed_requests_raise_before_reaching_the_network():
    never = _guarded_llm(lambda r: pytest.fail("no request may be sent"))
    with override_allow_model_requests(False):
        with pytest.raises(ModelRequestsDisabledError, match="ALLOW_MODEL_REQUESTS"):
            await never.generate("q")
        with pytest.raises(ModelRequestsDisabledError):
            await never.served_models()
        assert (await TestModel().generate("q")).text == "Final Answer: a"  # never blocked
    sent = []
    ready = _guarded_llm(lambda r: sent.append(json.loads(r.content)) or pytest.fail("sent"))
    with override_allow_model_requests(True):
        await ready.ensure_ready()
    with override_allow_model_requests(False), pytest.raises(ModelRequestsDisabledError):
        await ready.generate("q")  # a client that is ready already is stopped too
    assert sent == []


async def test_unit_tests_run_with_requests_disabled_and_the_override_restores():
    assert agentkit.llm.ALLOW_MODEL_REQUESTS is False  # set by tests/conftest.py
    with override_allow_model_requests(True):
        assert agentkit.llm.ALLOW_MODEL_REQUESTS is True
    assert agentkit.llm.ALLOW_MODEL_REQUESTS is False


async def test_the_vllm_client_sends_no_tools():
    bodies = []

    def chat(request):
        bodies.append(json.loads(request.content))
        ok = {"message": {"content": "hi"}, "finish_reason": "stop"}
        return httpx.Response(200, json={"choices": [ok], "usage": {}})

    with override_allow_model_requests(True):
        await _guarded_llm(chat).generate("q", tools=[search_tool(DOCS).spec], stop=["x"])
    assert set(bodies[0]) == {"model", "messages", "max_tokens", "temperature", "n", "stop"}
