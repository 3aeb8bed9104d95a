"""Planners: how an agent turns a question into model and tool calls."""

from agentkit.planners.actions import Action, parse_action
from agentkit.planners.answer import short_answer
from agentkit.planners.auto import Auto, Policy, fit_policy
from agentkit.planners.base import PlanError, Planner, PlannerError, PlannerOutput
from agentkit.planners.code import CodeAgents
from agentkit.planners.context import (
    AnswerToken,
    CallFinished,
    Routed,
    RunContext,
    RunEvent,
    Step,
    StepFinished,
    StepStarted,
)
from agentkit.planners.plan import Plan, PlanStep, parse_plan, plan_regex, substitute
from agentkit.planners.react import ReAct
from agentkit.planners.reader import Evidence, Reader, Reading
from agentkit.planners.rewoo import ReWOO
from agentkit.planners.routing import FullRouter, RCRRouter, Router, StaticRouter
from agentkit.planners.settings import (
    CodeAgentsSettings,
    ProgramLimits,
    ReActSettings,
    ReaderSettings,
    ReWOOSettings,
    SMRSettings,
)
from agentkit.planners.smr import SMR, SMRResult, smr_search_tool
from agentkit.planners.syntax import write_call
from agentkit.planners.worker import execute

__all__ = [
    "SMR",
    "Action",
    "AnswerToken",
    "Auto",
    "CallFinished",
    "CodeAgents",
    "CodeAgentsSettings",
    "Evidence",
    "FullRouter",
    "Plan",
    "PlanError",
    "PlanStep",
    "Planner",
    "PlannerError",
    "PlannerOutput",
    "Policy",
    "ProgramLimits",
    "RCRRouter",
    "ReAct",
    "ReActSettings",
    "ReWOO",
    "ReWOOSettings",
    "Reader",
    "ReaderSettings",
    "Reading",
    "Routed",
    "Router",
    "RunContext",
    "RunEvent",
    "SMRResult",
    "SMRSettings",
    "StaticRouter",
    "Step",
    "StepFinished",
    "StepStarted",
    "execute",
    "fit_policy",
    "parse_action",
    "parse_plan",
    "plan_regex",
    "short_answer",
    "smr_search_tool",
    "substitute",
    "write_call",
]
