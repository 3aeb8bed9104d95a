"""The CodeAgents security bar in small: every written attack is refused or stopped with a
clear error, and a short fuzz finds no escape (benchmarks/codeagents_security.py runs the
full one, ten thousand programs and more)."""

import os

import pytest

from agentkit.planners.code import ProgramLimits
from tests.unit.benchmark_scripts import load


@pytest.fixture(scope="module")
def security():
    return load("codeagents_security")


@pytest.fixture
def checker_with(security, tmp_path):
    """A checker with the given limits, run in an empty working folder."""
    cwd = os.getcwd()
    os.chdir(tmp_path)

    def make(limits):
        checker = security.Checker(security.Host(tmp_path), limits)
        checker.run('answer(f"{[1]!r:>3} {search(question)}")')  # lazy imports, once
        return checker

    try:
        yield make
    finally:
        os.chdir(cwd)


def test_every_written_attack_is_refused_or_stopped_cleanly(security, checker_with):
    rows = security.run_attacks(checker_with(ProgramLimits()))
    assert len(rows) >= 100
    wrong = [(r["name"], r["result"], r["message"]) for r in rows if not r["ok"]]
    assert wrong == []
    assert not security.SENTINEL.exists()


@pytest.mark.parametrize("full", [False, True], ids=["plan-language", "full-python"])
def test_a_short_fuzz_finds_no_escape(security, checker_with, full):
    checker = checker_with(security.FUZZ_LIMITS)
    result = security.run_fuzz(checker, full, examples=150, rng_seed=7)
    assert result["escapes"] == 0, result["failures"]
    assert result["programs"] >= 100
