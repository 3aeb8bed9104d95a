"""CodeAgents: plans as typed Python pseudocode, run by a restricted interpreter, repaired
by patches. `language` says what a program may contain; `grammar` keeps decoding inside it;
`interpreter` runs it within `limits`; `patch` repairs it; `planner` holds the roles."""

from agentkit.planners.code.grammar import patch_grammar, program_grammar
from agentkit.planners.code.interpreter import Interpreter, Outcome, ToolFunction
from agentkit.planners.code.language import (
    BUILTINS,
    METHODS,
    Program,
    check_program,
    parse_program,
    signature,
)
from agentkit.planners.code.limits import ProgramLimits
from agentkit.planners.code.patch import Patch, apply_patch, codified_feedback, parse_patch
from agentkit.planners.code.planner import CodeAgents, unusable

__all__ = [
    "BUILTINS",
    "METHODS",
    "CodeAgents",
    "Interpreter",
    "Outcome",
    "Patch",
    "Program",
    "ProgramLimits",
    "ToolFunction",
    "apply_patch",
    "check_program",
    "codified_feedback",
    "parse_patch",
    "parse_program",
    "patch_grammar",
    "program_grammar",
    "signature",
    "unusable",
]
