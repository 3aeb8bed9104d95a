"""GAIA's official scorer (the leaderboard's question_scorer), rule for rule.

- gold parses as a float: a number. The answer loses `$`, `%` and `,` and must parse to the
  same float ("17 km", "1 000" and "seventeen" are wrong).
- else gold holds `,` or `;`: a list. Both split on either; same length; element by element
  in order, numeric gold elements as numbers, the others as strings without whitespace,
  lower-cased, punctuation kept.
- else a string: whitespace removed, lower-cased, ASCII punctuation removed.

So a gold "1,000" is the list ["1", "000"], and a missing answer is the string "None".
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from pydantic import BaseModel

_SPLIT = re.compile(r"[,;]")
_WHITESPACE = re.compile(r"\s")
_PUNCTUATION = str.maketrans("", "", string.punctuation)


def is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def normalize_number(text: str) -> float:
    """The answer as a number after removing $ % and ","; infinity when it is none."""
    for char in "$%,":
        text = text.replace(char, "")
    try:
        return float(text)
    except ValueError:
        return float("inf")


def normalize_str(text: str, *, remove_punct: bool = True) -> str:
    text = _WHITESPACE.sub("", text).lower()
    return text.translate(_PUNCTUATION) if remove_punct else text


def score(model_answer: str | None, gold: str) -> bool:
    """True when GAIA's official scorer marks `model_answer` correct for `gold`."""
    answer = "None" if model_answer is None else str(model_answer)
    if is_float(gold):
        return normalize_number(answer) == float(gold)
    if "," in gold or ";" in gold:
        golds, answers = _SPLIT.split(gold), _SPLIT.split(answer)
        if len(golds) != len(answers):
            return False
        return all(
            normalize_number(a) == float(g)
            if is_float(g)
            else normalize_str(a, remove_punct=False) == normalize_str(g, remove_punct=False)
            for a, g in zip(answers, golds, strict=True)
        )
    return normalize_str(answer) == normalize_str(gold)


class LevelScore(BaseModel):
    n: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0


def score_all(
    golds: Mapping[str, tuple[int, str]], answers: Mapping[str, str | None]
) -> dict[str, LevelScore]:
    """The leaderboard's figures: {"all": ..., "1": ..., "2": ...} from gold (level, answer)
    by task_id and the model's answers by task_id (a task with no answer scores "None")."""
    out: dict[str, LevelScore] = {"all": LevelScore(n=0, correct=0)}
    for task_id, (level, gold) in golds.items():
        ok = int(score(answers.get(task_id), gold))
        for key in ("all", str(level)):
            s = out.setdefault(key, LevelScore(n=0, correct=0))
            s.n, s.correct = s.n + 1, s.correct + ok
    return out
