"""Tools as the model sees them (docstring Args, defaults) and any text reaching a tool."""

import json

from hypothesis import given
from hypothesis import strategies as st

from agentkit.testing import WordCounter
from agentkit.tools import (
    ToolContext,
    ToolRegistry,
    calculator_tool,
    finish_tool,
    llm_tool,
    search_tool,
    tool,
)


@tool
def convert(value: float, unit: str = "m") -> str:
    """Convert a length between units.

    Args:
        value: the number
        unit: "m" or "ft"
    """
    return f"{value * (3.28 if unit == 'm' else 1 / 3.28):.2f}"


@tool
def echo(text: str) -> str:
    """Repeat the text."""
    return text


@tool
def quote(text: str, ctx: ToolContext, source: str = "") -> str:
    """Quote a text, with its source if given."""
    return f"{source}: {text}" if source else text


def test_args_and_defaults_are_shown_compactly_on_one_line():
    assert convert.render() == (
        'convert[value]: Convert a length between units. (value: the number; unit: "m" or '
        '"ft", default "m")'
    )
    assert convert.description == "Convert a length between units."


def test_undocumented_arguments_are_named_with_their_defaults_when_args_exist():
    @tool
    def scale(x: float, factor: float = 2.0, unit: str = "m") -> float:
        """Scale a number.

        Args:
            x: the number to scale
        """
        return x * factor

    assert scale.render() == (
        'scale[x]: Scale a number. (x: the number to scale; factor: default 2.0; unit: default "m")'
    )


def test_args_descriptions_reach_the_json_schema_the_model_is_given():
    props = convert.spec.parameters["properties"]
    assert props["value"]["description"] == "the number"
    assert props["unit"]["description"] == '"m" or "ft"' and props["unit"]["default"] == "m"


def test_the_built_in_tools_render_exactly_as_before():
    docs = [("Jaws (film)", "Jaws is a 1975 film directed by Steven Spielberg.")]
    rendered = [t.render() for t in (search_tool(docs), llm_tool(), calculator_tool())]
    rendered.append(finish_tool().render())
    assert rendered == [
        "search[query]: the 2 passages that best match the keywords",
        "llm[question]: ask the model a question about a text given in it, e.g. #E1",
        "calculator[expression]: arithmetic on numbers, e.g. (1998 - 1971) / 2",
        "finish[answer]: give the final answer (only the name, date, number, or yes/no) and stop",
    ]
    assert [WordCounter().count_text(r) for r in rendered] == [13, 23, 20, 25]


def test_a_docstring_without_args_entries_is_read_as_before():
    @tool
    def odd(x: str) -> str:
        """Do a thing.

        Args:
        """
        return x

    assert odd.render() == "odd[x]: Do a thing."


@given(st.text())
async def test_any_text_reaches_a_one_argument_tool_exactly(text):
    obs = await ToolRegistry([echo]).call("echo", text)
    assert obs.ok and obs.text == text


@given(st.text())
async def test_any_text_reaches_the_text_argument_of_a_several_argument_tool(text):
    assert quote.parse(text).text == text  # type: ignore[attr-defined]


def test_json_naming_the_arguments_sets_them_and_other_json_is_text():
    args = quote.parse(json.dumps({"text": "hi", "source": "me"}))
    assert (args.text, args.source) == ("hi", "me")  # type: ignore[attr-defined]
    other = json.dumps({"query": "x"})
    assert quote.parse(other).text == other  # type: ignore[attr-defined]
    assert quote.parse("{not json").text == "{not json"  # type: ignore[attr-defined]
