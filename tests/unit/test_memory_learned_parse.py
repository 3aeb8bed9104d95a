"""Distiller replies as small models write them: read, repaired, or dropped with a reason."""

import pytest

from agentkit.errors import MalformedMemoryError
from agentkit.memory.learned.parse import read_items, texts_of


def _read(text, most=3, chars=200):
    return read_items(text, max_items=most, max_chars=chars)


def test_fenced_json_is_read():
    items, problems = _read('```json\n[{"title": "a", "content": "b"}]\n```')
    assert items == [{"title": "a", "content": "b"}] and problems == []


def test_json_cut_off_at_max_tokens_keeps_its_complete_items():
    items, problems = _read('[{"title": "a", "content": "b"}, {"title": "c", "cont')
    assert items == [{"title": "a", "content": "b"}]
    assert "cut off" in problems[0]


def test_key_value_lines_are_read_when_there_is_no_json():
    text = "title: Search first\ncontent: search the name\n\ntitle: Compare\ncontent: both"
    items, _ = _read(text)
    assert [i["title"] for i in items] == ["Search first", "Compare"]


def test_behaviour_lines_are_items():
    items, _ = _read("behavior_search_first: search the name\nbehavior_check: check it")
    assert items == [{"behavior_search_first": "search the name", "behavior_check": "check it"}]


def test_an_essay_is_dropped_with_its_length():
    essay = "word " * 2000
    items, problems = _read(
        f'[{{"title": "t", "content": "{essay}"}}, {{"title": "ok", "content": "fine"}}]'
    )
    assert items == [{"title": "ok", "content": "fine"}]
    assert "characters" in problems[0]


@pytest.mark.parametrize("text", ["", "   ", "```\n```", '[{"title": ""}]', "word " * 3000])
def test_nothing_usable_raises_the_typed_error(text):
    with pytest.raises(MalformedMemoryError):
        _read(text)


def test_items_past_the_limit_are_dropped_with_a_reason():
    items, problems = _read('[{"a": "1"}, {"a": "2"}, {"a": "3"}]', most=2)
    assert len(items) == 2 and "more than 2" in problems[0]


def test_list_fields_split_on_semicolons():
    assert texts_of({"cues": "two names; a date ;"}, "cues") == ["two names", "a date"]
