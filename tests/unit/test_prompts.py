"""One prompt mechanism: packaged templates, checked overrides, and the default prompts pinned."""

import hashlib

import pytest

from agentkit.errors import ConfigError
from agentkit.memory.graph.triplets import TripletExtractor
from agentkit.memory.lexical import Corpus
from agentkit.planners import SMR, ReAct, ReWOO, RunContext
from agentkit.prompts import PromptTemplates, load_prompt, placeholders
from agentkit.testing import FunctionModel, WordCounter
from agentkit.tools import ToolContext, ToolRegistry, llm_tool, search_tool

QUESTION = "Which university did the director of Jaws attend?"
DOCS = [
    ("Jaws (film)", "Jaws is a 1975 film directed by Steven Spielberg."),
    ("Steven Spielberg", "Spielberg attended California State University, Long Beach."),
]
# What the ReWOO planner was asked before templates became overridable; benchmark figures
# depend on it, so it must not move by a byte.
REWOO_PLAN_PROMPT = """\
Plan tool calls that gather the facts to answer the question. Tools:
search[query]: the 2 passages that best match the keywords
llm[question]: ask the model a question about a text given in it, e.g. #E1
Write each step as a "Plan:" line, then "#E<n> = tool[input]". Search one thing at a time \
with words from the question; never guess a fact. Write #E<n> to use a result: \
llm[question #E<n>] gets a name out of it, to search for next. At most 4 steps; stop once \
the results hold the answer.

Question: Which university did the director of Jaws attend?
Plan: Find the director of Jaws.
#E1 = search[Jaws director]
Plan: Get the director's name.
#E2 = llm[Who directed Jaws? #E1]
Plan: Find where the director studied.
#E3 = search[#E2 university]

Question: Who was born first, Ada Lovelace or Charles Babbage?
Plan: Find Ada Lovelace's birth date.
#E1 = search[Ada Lovelace born]
Plan: Find Charles Babbage's birth date.
#E2 = search[Charles Babbage born]

Question: Which university did the director of Jaws attend?
"""


def _templates(overrides=None):
    return PromptTemplates("ReWOO", "agentkit.planners", {"rewoo_replan": ("error",)}, overrides)


def test_load_prompt_reads_the_packaged_file_once():
    text = load_prompt("agentkit.tools", "llm")
    assert "{question}" in text and load_prompt("agentkit.tools", "llm") is text
    assert "{passages}" in load_prompt("agentkit.planners", "reader")


def test_placeholders_are_the_root_names_the_format_call_fills():
    assert placeholders('{a} {b.c} {d[0]} {{"literal": 1}} {e!r:>3}') == {"a", "b", "d", "e"}
    with pytest.raises(ConfigError, match="literal brace"):
        placeholders("a { b")


def test_an_override_replaces_one_template_and_keeps_the_others():
    prompts = PromptTemplates(
        "ReWOO",
        "agentkit.planners",
        {"rewoo_replan": ("error",), "rewoo_solve": ("evidence", "question")},
        {"rewoo_replan": "Wrong: {error}"},
    )
    assert prompts.render("rewoo_replan", error="no step") == "Wrong: no step"
    assert prompts["rewoo_solve"] == load_prompt("agentkit.planners", "rewoo_solve")
    assert list(prompts) == ["rewoo_replan", "rewoo_solve"] and len(prompts) == 2


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"rewoo_replan": "Try again."}, r"'rewoo_replan' lacks placeholder \{error\}"),
        ({"rewoo_replan": "{error} {eror}"}, r"has an unknown placeholder \{eror\}"),
        ({"rewoo_replan": "{error} {}"}, r"has an unknown placeholder \{\}"),
        ({"rewoo_replan": "{error} {"}, "literal brace"),
        ({"rewoo_plan_v2": "x"}, "no prompt template 'rewoo_plan_v2'; its templates are"),
    ],
)
def test_a_bad_override_is_a_config_error_naming_the_placeholder(override, complaint):
    with pytest.raises(ConfigError, match=complaint):
        _templates(override)


def test_every_component_checks_its_overrides_when_built():
    smr_corpus = Corpus(DOCS)
    builders = [
        lambda o: ReAct(prompt_templates=o),
        lambda o: ReWOO(prompt_templates=o),
        lambda o: SMR(smr_corpus, prompt_templates=o),
        lambda o: llm_tool(prompt_templates=o),
        lambda o: TripletExtractor(FunctionModel(lambda m, i: "[]"), prompt_templates=o),
    ]
    for build in builders:
        build(None)  # the packaged defaults pass their own check
        with pytest.raises(ConfigError, match="no prompt template 'nope'"):
            build({"nope": "x"})


def test_the_default_rewoo_plan_prompt_is_unchanged_byte_for_byte():
    tools = [search_tool(DOCS), llm_tool()]
    prompt = ReWOO().plan_prompt(QUESTION, tools)
    assert prompt == REWOO_PLAN_PROMPT
    assert WordCounter().count_text(prompt) == 264


def test_rewoo_uses_its_overridden_plan_prompt_and_examples():
    overrides = {"rewoo_plan": "{tools}|{max_steps}|{examples}|{question}", "rewoo_examples": "E"}
    rewoo = ReWOO(prompt_templates=overrides)
    assert rewoo.plan_prompt("Q?", [search_tool(DOCS)]).endswith("|4|E|Q?")
    assert rewoo.plan_prompt("Q?", [search_tool(DOCS)], "Learned").endswith("|4|Learned|Q?")


def _ctx(model, tools=()):
    return RunContext(llm=model, run_id="r", tools=ToolRegistry(tools))


async def test_react_and_its_corrections_use_overridden_templates():
    replies = iter(["I am not sure.", "Action: finish[Long Beach]"])
    model = FunctionModel(lambda messages, info: next(replies))
    react = ReAct(
        prompt_templates={
            "react": "Tools: {tools}\nQ: {question}",
            "react_invalid": "Use an action like {example}.",
        }
    )
    out = await react.run("Where?", _ctx(model, [search_tool(DOCS)]))
    assert out.answer == "Long Beach"
    first, second = model.calls
    assert first.prompt.startswith("Tools: search[query]") and first.prompt.endswith("Q: Where?")
    assert second.prompt == "Use an action like search[...]."


async def test_smr_answers_with_its_overridden_answer_template():
    def reply(messages, info):
        return '{"action": "stop"}' if info.labels.role == "smr" else "Spielberg"

    model = FunctionModel(reply)
    smr = SMR(Corpus(DOCS), prompt_templates={"smr_answer": "Q: {question}\n{documents}"})
    out = await smr.run("Who directed Jaws?", _ctx(model))
    assert out.answer == "Spielberg"
    assert model.calls[-1].prompt.startswith("Q: Who directed Jaws?\nJaws (film)")


async def test_the_llm_tool_uses_its_overridden_template():
    model = FunctionModel(lambda messages, info: "Spielberg")
    ask = llm_tool(prompt_templates={"llm": "Briefly: {question}"})
    obs = await ask("Who directed Jaws?", ToolContext(llm=model))
    assert obs.text == "Spielberg" and model.calls[0].prompt == "Briefly: Who directed Jaws?"


def test_the_triplet_prompt_moved_to_a_file_unchanged():
    """Its text is part of the key of every cached extraction: a byte more re-extracts all."""
    text = load_prompt("agentkit.memory.graph", "triplets")
    digest = "601a6637e741c3d06f535292c7e50ae34e71fc3cfee6fdd33e307172ec0f955a"
    assert hashlib.sha256(text.encode()).hexdigest() == digest
