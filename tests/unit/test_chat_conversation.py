"""The conversation budget: the newest turns that fit whole, the rest dropped, the first
question untouched."""

from __future__ import annotations

from agentkit.chat.conversation import HEADER, NOTES, Conversation
from agentkit.testing import WordCounter

count = WordCounter().count_text


def test_the_first_question_goes_out_exactly_as_typed():
    ctx = Conversation(300).context("Who drummed for Rush?", count)
    assert ctx.question == "Who drummed for Rush?"
    assert (ctx.kept, ctx.dropped, ctx.tokens) == (0, 0, 0)


def test_earlier_turns_follow_the_question_oldest_first():
    conv = Conversation(300)
    conv.add("Who drummed for Rush?", "Neil Peart")
    conv.add("Where was he born?", "Hamilton")
    ctx = conv.context("When?", count)
    assert ctx.question == (
        f"When?\n{HEADER}\nQ: Who drummed for Rush?\nA: Neil Peart\n"
        "Q: Where was he born?\nA: Hamilton"
    )
    assert (ctx.kept, ctx.dropped) == (2, 0)
    assert ctx.tokens == count(ctx.question) - count("When?") > 0


def test_the_newest_turns_that_fit_are_kept_whole_and_older_ones_dropped():
    conv = Conversation(0)
    for i in range(5):
        conv.add(f"question {i} " + "word " * 10, f"answer {i}")
    one_turn = count(f"{HEADER}\nQ: question 4 {'word ' * 10}\nA: answer 4")
    conv.max_tokens = one_turn * 2 + 1  # two turns fit, not three
    ctx = conv.context("next?", count)
    assert (ctx.kept, ctx.dropped) == (2, 3)
    assert "question 3" in ctx.question and "question 4" in ctx.question
    assert "question 2" not in ctx.question
    block = ctx.question.split("\n", 1)[1]
    assert count(block) <= conv.max_tokens


def test_a_turn_too_long_for_the_budget_ends_the_context():
    conv = Conversation(20)
    conv.add("short?", "yes")
    conv.add("long " * 50, "no")  # newest, alone over budget: it and all before are dropped
    ctx = conv.context("and now?", count)
    assert ctx.question == "and now?" and (ctx.kept, ctx.dropped) == (0, 2)


def test_no_budget_no_context_and_failed_turns_are_not_kept():
    conv = Conversation(0)
    conv.add("q", "a")
    conv.add("cancelled?", "")
    assert len(conv.turns) == 1
    assert conv.context("next", count).question == "next"
    conv.clear()
    assert conv.turns == []


def test_recalled_notes_follow_the_turns():
    conv = Conversation(300)
    ctx = conv.context("When?", count, notes=["Peart was born in 1952."])
    assert ctx.question == f"When?\n{NOTES}\n- Peart was born in 1952."
    assert ctx.kept == 0 and ctx.tokens > 0
