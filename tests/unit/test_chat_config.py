"""`agentkit chat` settings: TOML file, flags over it, one-line errors."""

from __future__ import annotations

import pytest

from agentkit.chat.commands import Command, parse_command
from agentkit.chat.config import ChatConfig, load_config
from agentkit.errors import ConfigError


def test_defaults_need_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTKIT_HOME", str(tmp_path))  # no chat.toml there
    config = load_config()
    assert config.planner == "rewoo" and config.model == "qwen2.5-coder-1.5b"
    assert config.budget.total_tokens == 4000 and config.history_tokens == 300
    assert config.tool_names == ("llm", "calculator")
    assert load_config(docs=tmp_path).tool_names == ("search", "llm", "calculator")


def test_the_file_sets_and_flags_win(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTKIT_HOME", str(tmp_path))
    (tmp_path / "chat.toml").write_text(
        'planner = "react"\ntools = ["calculator"]\nhistory_tokens = 50\n'
        "[budget]\ntotal_tokens = 900\nrequests = 5\n"
    )
    config = load_config()  # the default file, found under AGENTKIT_HOME
    assert (config.planner, config.tools, config.history_tokens) == ("react", ("calculator",), 50)
    assert (config.budget.total_tokens, config.budget.requests) == (900, 5)
    flagged = load_config(planner="smr", budget_tokens=1200, history_tokens=None)
    assert flagged.planner == "smr" and flagged.history_tokens == 50  # None: not given
    assert (flagged.budget.total_tokens, flagged.budget.requests) == (1200, 5)  # merged


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('planner = "magic"', "chat config planner: unknown planner 'magic'; choose from rewoo"),
        ('tools = ["web"]', "unknown tool 'web'"),
        ("history_tokens = -1", "history_tokens: Input should be greater than or equal to 0"),
        ("[budget]\ntotal_tokens = 0", "total_tokens must be positive"),
        ("colour = 1", "colour: Extra inputs are not permitted"),
        ("planner = ", "is not valid TOML"),
    ],
)
def test_a_bad_file_is_one_config_error(tmp_path, toml, message):
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(path)


def test_a_missing_file_named_on_the_command_line_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def test_config_is_the_same_model_the_session_reconfigures():
    config = ChatConfig.validated(planner="react")
    again = ChatConfig.validated(**{**config.model_dump(), "planner": "rewoo"})
    assert again.planner == "rewoo" and again.budget == config.budget


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("/help", Command("help")),
        ("  /Planner   react ", Command("planner", "react")),
        ("/memory search neil peart", Command("memory", "search neil peart")),
        ("/save chat.json", Command("save", "chat.json")),
        ("/budget off", Command("budget", "off")),
    ],
)
def test_slash_commands_parse(line, command):
    assert parse_command(line) == command


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/plan rewoo", r"unknown command /plan; did you mean /planner\?"),
        ("/xyzzy", "unknown command /xyzzy; /help lists them"),
        ("/save", "/save needs FILE"),
        ("/load  ", "/load needs FILE"),
    ],
)
def test_bad_slash_commands_say_what_is_wrong(line, message):
    with pytest.raises(ConfigError, match=message):
        parse_command(line)


def test_tab_completes_commands_then_planner_names():
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from agentkit.chat.repl import CommandCompleter

    def complete(text: str) -> list[str]:
        found = CommandCompleter().get_completions(Document(text), CompleteEvent())
        return [c.text for c in found]

    assert complete("/pl") == ["/planner "]  # it takes an argument: the space comes with it
    assert complete("/he") == ["/help"]
    assert complete("/planner r") == ["rewoo", "react"]
    assert complete("/memory s") == ["search"]
    assert complete("who drummed") == []


def test_every_planner_of_the_chat_can_be_built():
    from agentkit.chat.config import PLANNERS
    from agentkit.chat.setup import make_planner

    for name in PLANNERS:
        if name != "smr":  # smr needs documents
            assert make_planner(name, None).name == name
