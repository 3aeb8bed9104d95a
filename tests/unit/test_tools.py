"""Tools: typed arguments, failures as observations, token caps, registry, search, llm tool."""

import asyncio
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentkit.budget import Budget, Limits
from agentkit.errors import BudgetExceededError, ConfigError
from agentkit.memory.lexical import Corpus
from agentkit.packing import cap_tokens, pack_passages
from agentkit.testing import FunctionModel, WordCounter, in_order
from agentkit.text import Passage
from agentkit.tools import (
    Observation,
    Tool,
    ToolContext,
    ToolRegistry,
    finish_tool,
    llm_tool,
    search_tool,
    tool,
)

WORDS = WordCounter().count_text
CTX = ToolContext(count_tokens=WORDS)


@tool
def add(a: int, b: int = 1) -> int:
    """Add two integers."""
    return a + b


@tool(name="shout", timeout_s=0.2)
async def loud(text: str) -> str:
    """Upper-case the text."""
    if text == "slow":
        await asyncio.sleep(5)
    if text == "boom":
        raise RuntimeError("exploded")
    return text.upper()


async def test_a_tool_is_built_from_the_signature_and_docstring():
    assert (add.name, add.description) == ("add", "Add two integers.")
    assert set(add.args_model.model_fields) == {"a", "b"}
    assert add.render() == "add[a]: Add two integers."  # the one required argument takes text
    assert (await add("41", CTX)).text == "42"
    assert (await add({"a": 1, "b": 2}, CTX)).text == "3"
    assert (await add('{"a": 5, "b": 5}', CTX)).text == "10"
    assert (await loud("hi", CTX)).text == "HI"  # async functions work the same


async def test_bad_input_is_an_observation_naming_the_fix():
    obs = await add("forty-one", CTX)
    assert not obs.ok and obs.text.startswith("Error: ")
    assert "bad input for add" in obs.error and "add[a]" in obs.error


async def test_exceptions_and_timeouts_are_observations_not_raised():
    boom = await loud("boom", CTX)
    assert not boom.ok and "RuntimeError: exploded" in boom.error
    t0 = time.perf_counter()
    slow = await loud("slow", CTX)
    assert not slow.ok and "timed out after 0.2s" in slow.error
    assert time.perf_counter() - t0 < 2


async def test_a_budget_running_out_inside_a_tool_ends_the_run():
    @tool
    def spend(x: str) -> str:
        """Spend."""
        raise BudgetExceededError("run total_tokens limit is 10")

    with pytest.raises(BudgetExceededError):
        await spend("x", CTX)


def test_tools_need_a_usable_name_and_a_description():
    with pytest.raises(ConfigError, match="description"):
        Tool(lambda x: x, name="nodoc")
    with pytest.raises(ConfigError, match="name"):
        Tool(add.fn, name="two words")
    with pytest.raises(ConfigError, match=r"\*args"):
        Tool(lambda *xs: xs, name="star", description="d")


async def test_long_results_are_capped_with_a_visible_marker():
    @tool(max_tokens=10)
    def long(n: int) -> str:
        """Count."""
        return " ".join(str(i) for i in range(n))

    short, cut = await long("5", CTX), await long("100", CTX)
    assert (short.text, short.truncated) == ("0 1 2 3 4", False)
    assert cut.truncated and cut.text.startswith("0 1") and "[cut to 10 tokens]" in cut.text
    assert WORDS(cut.text) <= 10


async def test_the_run_default_cap_applies_to_tools_without_their_own():
    @tool
    def echo(text: str) -> str:
        """Echo."""
        return text

    obs = await echo("word " * 500, ToolContext(count_tokens=WORDS, max_observation_tokens=20))
    assert obs.truncated and WORDS(obs.text) <= 20


@given(st.text(max_size=300), st.integers(min_value=0, max_value=60))
def test_cap_tokens_always_fits_and_keeps_a_prefix(text, limit):
    capped, cut = cap_tokens(text, limit, WORDS)
    if WORDS(text) <= limit:
        assert (capped, cut) == (text, False)
    else:
        head = capped.rsplit(" …[cut to", 1)[0]
        assert cut and text.startswith(head)
        assert WORDS(capped) <= limit or head == ""  # only the marker itself may not fit


async def test_registry_calls_by_name_case_insensitively_and_reports_unknown_tools():
    reg = ToolRegistry([add, loud])
    assert reg.names == ["add", "shout"] and "SHOUT" in reg
    assert (await reg.call("Shout", "hey", CTX)).text == "HEY"
    unknown = await reg.call("wikipedia", "x", CTX)
    assert not unknown.ok and "unknown tool 'wikipedia'" in unknown.error
    assert "add, shout" in unknown.error
    assert reg.render() == "add[a]: Add two integers.\nshout[text]: Upper-case the text."
    with pytest.raises(ConfigError, match="two tools"):
        reg.add(Tool(add.fn, name="ADD"))


HOTPOT_CONTEXT = [
    ["Nobody's Hero", ['"Nobody\'s Hero" is a song by Rush.', " It is on Counterparts."]],
    ["Neil Peart", ["Neil Peart was the drummer of Rush.", " He joined in 1974."]],
    ["Jeff Porcaro", ["Jeff Porcaro was the drummer of Toto."]],
]


async def test_search_over_a_hotpot_context_returns_titled_passages():
    search = search_tool(Corpus.from_hotpot(HOTPOT_CONTEXT), k=2)
    obs = await search("Counterparts song", CTX)
    first = obs.text.splitlines()[0]
    assert first == "Nobody's Hero: \"Nobody's Hero\" is a song by Rush. It is on Counterparts."
    assert len(obs.text.splitlines()) <= 2 and obs.ok and not obs.truncated
    none = await search("the of and", CTX)  # only stopwords: nothing can match
    assert none.ok and "No passage matches" in none.text


async def test_search_over_passages_and_pairs():
    docs = [Passage(title="A", text="apples are red"), {"title": "B", "text": "bananas"}]
    search = search_tool([*docs, ("C", "cherries are red too")], k=5)
    obs = await search("red", CTX)
    assert {line.split(":")[0] for line in obs.text.splitlines()} == {"A", "C"}
    with pytest.raises(ConfigError, match="passage"):
        Corpus([42])
    with pytest.raises(ConfigError, match="at least one"):
        Corpus([])
    assert Corpus([("a", "the of"), ("b", "x")]).search("a b of x") == []  # nothing indexable


def test_passages_share_the_cap_fairly():
    short = Passage(title="S", text="tiny")
    long = Passage(title="L", text="word " * 200)
    text, cut = pack_passages([long, short], 40, WORDS)
    lines = text.splitlines()
    assert cut and lines[1] == "S: tiny"  # the short one is whole
    assert "[cut to" in lines[0] and WORDS(text) <= 40


async def test_llm_tool_calls_the_model_as_the_worker_of_this_step():
    llm = FunctionModel(in_order(["Steven Spielberg"]))
    await llm.ensure_ready()
    ctx = ToolContext(llm=llm, run_id="r1", step=2, budget=Budget().tracker())
    obs = await llm_tool()("Who directed Jaws? Jaws is a film by Steven Spielberg.", ctx)
    assert obs.text == "Steven Spielberg"
    (record,) = llm.ledger.records("r1")
    assert (record.labels.role, record.labels.step, record.labels.purpose) == (
        "worker",
        2,
        "llm tool",
    )
    assert "Who directed Jaws?" in llm.calls[0].prompt
    assert llm.calls[0].info.max_tokens == 48


async def test_llm_tool_lets_the_budget_end_the_run():
    llm = FunctionModel(in_order(["never sent"]))
    await llm.ensure_ready()
    tight = Budget(run=Limits(total_tokens=5)).tracker()
    with pytest.raises(BudgetExceededError):
        await llm_tool()("a question", ToolContext(llm=llm, budget=tight))
    assert llm.calls == []


async def test_finish_is_terminal_and_observations_serialise():
    assert finish_tool().terminal and not search_tool(HOTPOT_CONTEXT).terminal
    obs = await finish_tool()("  Rush ", CTX)
    assert obs.text == "Rush"
    assert Observation.model_validate_json(obs.model_dump_json()) == obs
