"""GAIA: the official layout, the official scorer, leaderboard submissions, and the tools a
task gets (sandboxed python, file readers, calculator, web). No GAIA data ships here."""

from agentkit.evals.gaia.loader import SHIPPED, GaiaTask, load
from agentkit.evals.gaia.scorer import LevelScore, score, score_all
from agentkit.evals.gaia.submission import (
    SubmissionLine,
    final_answer,
    read_submission,
    write_submission,
)
from agentkit.evals.gaia.tools import gaia_tools, prepare_scratch

__all__ = [
    "SHIPPED",
    "GaiaTask",
    "LevelScore",
    "SubmissionLine",
    "final_answer",
    "gaia_tools",
    "load",
    "prepare_scratch",
    "read_submission",
    "score",
    "score_all",
    "write_submission",
]
