"""Planner settings are pydantic models: out-of-range values are ConfigErrors naming the field,
and the constructors keep their keyword arguments and defaults."""

import inspect

import pytest

from agentkit.errors import ConfigError
from agentkit.memory.lexical import Corpus
from agentkit.planners import SMR, ReAct, ReActSettings, ReWOO, ReWOOSettings, SMRSettings

CORPUS = Corpus([("Jaws", "Jaws is a 1975 film.")])
BUILD = {
    "ReAct": (ReAct, lambda **kw: ReAct(**kw)),
    "ReWOO": (ReWOO, lambda **kw: ReWOO(**kw)),
    "SMR": (SMR, lambda **kw: SMR(CORPUS, **kw)),
}
BAD = [
    ("ReAct", "max_steps", 0),
    ("ReAct", "step_tokens", -5),
    ("ReWOO", "max_steps", 0),
    ("ReWOO", "plan_tokens", 0),
    ("ReWOO", "answer_tokens", -1),
    ("ReWOO", "evidence_tokens", 0),
    ("ReWOO", "ref_tokens", -3),
    *(
        ("SMR", field, 0)
        for field in (
            "top_k",
            "max_docs",
            "max_steps",
            "max_failures",
            "doc_tokens",
            "action_tokens",
            "answer_docs",
            "answer_context_tokens",
            "answer_tokens",
        )
    ),
]


@pytest.mark.parametrize(("planner", "field", "value"), BAD)
def test_a_value_out_of_range_is_a_config_error_naming_the_field(planner, field, value):
    _, build = BUILD[planner]
    with pytest.raises(ConfigError, match=rf"^{planner} {field}: .*greater than or equal to 1"):
        build(**{field: value})


def test_a_wrong_type_is_a_config_error_too():
    with pytest.raises(ConfigError, match=r"ReWOO max_steps: .*valid integer.*got 'four'"):
        ReWOO(max_steps="four")


def test_smr_top_k_may_not_exceed_max_docs():
    with pytest.raises(ConfigError, match=r"SMR: top_k \(20\) must be at most max_docs \(15\)"):
        SMR(CORPUS, top_k=20)
    assert SMR(CORPUS, top_k=15).settings.top_k == 15


def test_none_still_means_unlimited_evidence_for_rewoo():
    settings = ReWOO(evidence_tokens=None, ref_tokens=None).settings
    assert (settings.evidence_tokens, settings.ref_tokens) == (None, None)


@pytest.mark.parametrize(
    ("planner", "model"), [("ReAct", ReActSettings), ("ReWOO", ReWOOSettings), ("SMR", SMRSettings)]
)
def test_constructor_keywords_and_defaults_are_the_settings(planner, model):
    cls, build = BUILD[planner]
    params = inspect.signature(cls.__init__).parameters
    defaults = {n: p.default for n, p in params.items() if n in model.model_fields}
    assert set(defaults) == set(model.model_fields)  # one keyword per field, none lost
    assert build().settings.model_dump() == defaults
    assert all(f.description for f in model.model_fields.values())  # each field says why


def test_settings_are_frozen_and_refuse_unknown_fields():
    settings = ReAct().settings
    with pytest.raises(ValueError):
        settings.max_steps = 0  # type: ignore[misc]
    with pytest.raises(ConfigError, match="ReAct max_step: Extra inputs are not permitted"):
        ReActSettings.validated(max_steps=1, step_tokens=1, role="r", max_step=2)


def test_todays_defaults_are_kept():
    assert ReAct().settings.model_dump() == {"max_steps": 6, "step_tokens": 160, "role": "react"}
    rewoo = ReWOO().settings
    assert (rewoo.max_steps, rewoo.plan_tokens, rewoo.evidence_tokens, rewoo.ref_tokens) == (
        4,
        240,
        200,
        80,
    )
    assert (rewoo.constraint, rewoo.answer_tokens, rewoo.skip_unread) == ("regex", 32, ("llm",))
    smr = SMR(CORPUS).settings
    assert (smr.top_k, smr.max_docs, smr.max_steps, smr.max_failures) == (5, 15, 16, 3)
