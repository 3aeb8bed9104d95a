"""A run's outcome as data: a typed status and the error's class, never a string to parse."""

import pytest

from agentkit import Agent, RunStatus
from agentkit.budget import Budget, Limits
from agentkit.errors import ServerUnreachableError, TransientLLMError
from agentkit.planners import ReWOO
from agentkit.testing import FunctionModel
from agentkit.tools import tool


@tool
def echo(text: str) -> str:
    """Repeat the text."""
    return text


def _planner(plan: str = "Plan: echo it\n#E1 = echo[Jaws]"):
    def reply(messages, info):
        return plan if info.labels.role == "planner" else "Spielberg"

    return reply


async def test_a_finished_run_is_ok_with_no_error():
    result = await Agent(FunctionModel(_planner()), tools=[echo]).run("Who directed Jaws?")
    assert result.ok and result.status is RunStatus.OK and result.answer == "Spielberg"
    assert (result.error_type, result.error) == (None, None)


@pytest.mark.parametrize(
    ("agent", "status", "error_type"),
    [
        (
            lambda: Agent(
                FunctionModel(_planner()),
                tools=[echo],
                budget=Budget(run=Limits(total_tokens=50)),
            ),
            RunStatus.BUDGET_EXCEEDED,
            "BudgetExceededError",
        ),
        (
            lambda: Agent(
                FunctionModel(_planner("I would rather not plan.")),
                planner=ReWOO(constraint="none"),
                tools=[echo],
            ),
            RunStatus.PLANNER_ERROR,
            "PlanError",
        ),
        (
            lambda: Agent(FunctionModel(_planner(), context_window=100), tools=[echo]),
            RunStatus.MODEL_ERROR,
            "ContextWindowExceededError",
        ),
    ],
)
async def test_a_failed_run_reports_a_status_and_the_error_class(agent, status, error_type):
    result = await agent().run("Who directed Jaws?")
    assert not result.ok and result.status is status and result.error_type == error_type
    assert result.error is not None and result.error.startswith(f"{error_type}: ")  # as before
    assert result.model_dump(mode="json")["status"] == status.value


async def test_a_server_error_retries_did_not_fix_is_a_model_error():
    def fail(messages, info):
        raise TransientLLMError("502 from the server, after 3 tries")

    result = await Agent(FunctionModel(fail), tools=[echo]).run("q")
    assert (result.status, result.error_type) == (RunStatus.MODEL_ERROR, "TransientLLMError")


async def test_errors_that_would_fail_every_run_are_still_raised():
    def unreachable(messages, info):
        raise ServerUnreachableError("nothing answers at http://localhost:8000/v1")

    with pytest.raises(ServerUnreachableError):
        await Agent(FunctionModel(unreachable), tools=[echo]).run("q")
