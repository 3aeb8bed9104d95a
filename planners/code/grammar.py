"""The lark grammars that keep a model's programs and patches parseable under vLLM's
structured outputs (xgrammar compiles lark directly).

What a token mask costs is what decides the shape (benchmarks/codeagents.py measures it with
the Qwen tokenizer; benchmarks/results/planner_speed.md has the history): operators as flat
sequences, not one rule per precedence level (that recursion cost ~10 ms/token); no counted
repetitions; literal text written into the rule that uses it, never as a terminal of
alternatives that an expression follows (`AUG: " += " | ...` cost 40 ms at one token); f-string
fields a bare name (`{x[0]}` inside the string terminal cost 50 ms/token). Nesting is three
levels of blocks, written out, since indentation cannot be counted by a context-free grammar.

A sentence of the grammar is not always a valid program (a Python keyword as a name, a
variable never set): the parser and checker in language.py have the last word.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from agentkit.planners.code.language import BUILTINS, METHOD_NAMES, TYPES

__all__ = ["MAX_PATCH_LINES", "patch_grammar", "program_grammar"]

MAX_PATCH_LINES = 8

_BLOCKS = r"""
s0: simple "\n" | if0 | for0 | while0
if0: "if " expr ":\n" s1+ ("elif " expr ":\n" s1+)* ("else:\n" s1+)?
for0: "for " target " in " expr ":\n" s1+
while0: "while " expr ":\n" s1+
s1: "    " (simple "\n" | if1 | for1 | while1)
if1: "if " expr ":\n" s2+ ("    elif " expr ":\n" s2+)* ("    else:\n" s2+)?
for1: "for " target " in " expr ":\n" s2+
while1: "while " expr ":\n" s2+
s2: "        " simple "\n"
"""

_PATCH_LINES = r"""
pline: body | "    " body | "        " body
body: simple "\n" | "if " expr ":\n" | "elif " expr ":\n" | "else:\n" | "for " target " in " expr ":\n" | "while " expr ":\n"
"""  # noqa: E501

_STATEMENTS = r"""
simple: NAME (": " type)? " = " expr | NAME " += " expr | NAME " -= " expr | NAME "[" expr "] = " expr | NAME "." METHOD "(" args? ")" | "answer(" expr ")" | "assert " expr (", " STRING)? | "break" | "continue" | "pass"
type: TYPE | GENERIC "[" TYPE (", " TYPE)? "]"
expr: "not "? operand (OP operand | BOOL "not "? operand)*
operand: "-"? (atom ("[" slice "]" | "." METHOD "(" args? ")")* | NUMBER)
slice: expr | expr? ":" expr?
atom: NAME | call | STRING | FSTRING | "[" items? "]" | "[" expr " for " target " in " expr (" if " expr)? "]" | "{" pairs? "}" | "(" expr ")"
call: FUNC "(" args? ")"
items: expr (", " expr)*
pairs: expr ": " expr (", " expr ": " expr)*
args: expr (", " expr)* (", " kwarg)* | kwarg (", " kwarg)*
kwarg: NAME "=" expr
target: NAME (", " NAME)*
OP: " == " | " != " | " < " | " <= " | " > " | " >= " | " in " | " not in " | " is " | " is not " | " + " | " - " | " * " | " / " | " // " | " % " | " ** "
BOOL: " and " | " or "
NAME: /[a-zA-Z][a-zA-Z0-9_]*/
NUMBER: /(0|[1-9][0-9]*)(\.[0-9]+)?/
STRING: /"([^"\\\n]|\\["\\n])*"/
FSTRING: /f"([^"\\\n{}]|\\["\\n]|\{[a-zA-Z][a-zA-Z0-9_]*\})*"/
"""  # noqa: E501


def _alternatives(names: Iterable[str]) -> str:
    return " | ".join(json.dumps(n) for n in sorted(set(names), key=lambda n: (-len(n), n)))


def _shared(functions: Iterable[str]) -> str:
    names = [*functions, *BUILTINS, "answer"]
    return (
        _STATEMENTS
        + f"FUNC: {_alternatives(names)}\n"
        + f"METHOD: {_alternatives(METHOD_NAMES)}\n"
        + f"TYPE: {_alternatives(TYPES)}\n"
        + 'GENERIC: "list" | "dict" | "tuple"\n'
    )


def program_grammar(functions: Iterable[str]) -> str:
    """Programs calling `functions` (the tools, as programs name them), the builtins and
    answer(), with no comments or blank lines, ending in a top-level `answer(...)`. A call
    is a statement only as answer() or a method (`xs.append(x)`): a bare `search(...)`
    loses its result (a 1.5B planner wrote those)."""
    start = 'start: s0* "answer(" expr ")" "\\n"?\n'
    return start + _BLOCKS + _shared(functions)


def patch_grammar(functions: Iterable[str], max_lines: int = MAX_PATCH_LINES) -> str:
    """A patch: `# lines I-J` then at most `max_lines` lines that replace lines I to J of the
    program (none deletes them), each at one of the three indentation levels. The bound is
    nested options, not a counted repetition: a 1.5B replanner once looped on one line
    until its token limit."""
    rules = ['start: "# lines " LINE_NO "-" LINE_NO "\\n" p1?', "LINE_NO: /[0-9]+/"]
    rules += [f"p{i}: pline p{i + 1}?" for i in range(1, max_lines)]
    rules.append(f"p{max_lines}: pline")
    return "\n".join(rules) + "\n" + _PATCH_LINES + _shared(functions)
