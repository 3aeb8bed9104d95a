"""Triplet extraction: (subject, relation, object) facts from paragraphs, by the LLM.

One structured-output call per paragraph (a JSON schema: a short array of 3-string
arrays), many in flight, each result cached on disk under a hash of the prompt, the model
and the paragraph, so a rebuild makes no calls. Output is kept compact on purpose (few
triplets, short strings, no whitespace, a small max_tokens): on a CPU, decoding is the
cost of indexing. Output the schema could not hold (cut at max_tokens, or from a server
without structured outputs) is repaired by keeping every complete triplet; a paragraph
whose call fails is reported and left without triplets (the graph works without them).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from rich.progress import Progress

from agentkit.errors import (
    BudgetExceededError,
    ContextWindowExceededError,
    LLMError,
    StructuredOutputError,
)
from agentkit.llm import CallLabels, Model, StructuredOutput
from agentkit.memory.store.disk_cache import DiskCache
from agentkit.prompts import PromptTemplates
from agentkit.text import Paragraph

Triple = tuple[str, str, str]
TEMPLATES = {"triplets": ("n", "title", "text")}

_TRIPLE = re.compile(
    r'\[\s*"((?:[^"\\]|\\.)*)"\s*,\s*"((?:[^"\\]|\\.)*)"\s*,\s*"((?:[^"\\]|\\.)*)"'
)
_WORD = re.compile(r"\w+")


def triplet_schema(max_triplets: int, max_chars: int) -> dict[str, Any]:
    text = {"type": "string", "minLength": 1, "maxLength": max_chars}
    triple = {"type": "array", "items": text, "minItems": 3, "maxItems": 3}
    return {"type": "array", "items": triple, "maxItems": max_triplets}


def _json_rows(text: str) -> list[Any] | None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, list) else None


def parse_triplets(text: str) -> tuple[list[Triple], bool]:
    """(triples, repaired): the JSON array when it parses, else every complete
    `["s","r","o"` in the text (output cut at max_tokens keeps its finished triples).
    Malformed rows and empty strings are dropped; duplicates are kept once."""
    rows = _json_rows(text)
    if rows is not None:
        raw = [row for row in rows if isinstance(row, list) and len(row) == 3]
        repaired = len(raw) != len(rows)
    else:
        raw = [[json.loads(f'"{part}"') for part in m.groups()] for m in _TRIPLE.finditer(text)]
        repaired = True
    triples: list[Triple] = []
    for row in raw:
        s, r, o = (" ".join(str(x).split()) for x in row)
        if s and r and o and (s, r, o) not in triples:
            triples.append((s, r, o))
    return triples, repaired


class Extraction(BaseModel):
    """One paragraph's triples and what producing them cost (kept in the cache)."""

    triples: list[Triple] = Field(default_factory=list)
    status: Literal["ok", "repaired", "failed"] = "ok"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    error: str | None = None


class Triplet(BaseModel):
    """A triple linked to the sentence of its paragraph that states it best."""

    model_config = ConfigDict(frozen=True)

    subject: str
    relation: str
    object: str
    title: str
    position: int

    @property
    def id(self) -> str:
        return f"{self.title}#{self.position}|{self.subject}|{self.relation}|{self.object}"

    def render(self) -> str:
        return f"({self.subject}; {self.relation}; {self.object})"


def link_to_sentences(paragraph: Paragraph, triples: Sequence[Triple]) -> list[Triplet]:
    """Each triple goes to the sentence sharing most of its words (the first on ties).
    Object and relation words count double: the subject is usually the page's topic, named
    in the first sentence, while the object says which sentence states the fact."""
    sentence_words = [set(_WORD.findall(s.lower())) for s in paragraph.sentences]
    out = []
    for s, r, o in triples:
        subject, rest = set(_WORD.findall(s.lower())), set(_WORD.findall(f"{r} {o}".lower()))
        overlaps = [len(subject & sw) + 2 * len(rest & sw) if sw else -1 for sw in sentence_words]
        position = max(range(len(overlaps)), key=lambda i: (overlaps[i], -i)) if overlaps else 0
        out.append(
            Triplet(subject=s, relation=r, object=o, title=paragraph.title, position=position)
        )
    return out


class ExtractionReport(BaseModel):
    """What one `extract` call did: cached vs new results, failures, cost, coverage."""

    results: dict[str, Extraction] = Field(default_factory=dict, description="by paragraph key")
    cached: int = 0
    called: int = 0
    failed: int = 0
    repaired: int = 0
    skipped: int = Field(default=0, description="not reached before the deadline")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    wall_s: float = 0.0


class TripletExtractor:
    """Extracts triplets for many paragraphs with `concurrency` calls in flight."""

    def __init__(
        self,
        llm: Model,
        cache: DiskCache | None = None,
        *,
        max_triplets: int = 3,
        max_chars: int = 40,
        max_tokens: int = 64,
        max_input_chars: int = 600,
        concurrency: int = 16,
        run_id: str = "index",
        prompt_templates: Mapping[str, str] | None = None,
    ) -> None:
        """`prompt_templates` may replace its one template, "triplets" ({n}, {title}, {text});
        the cache key covers the template, so another one extracts afresh."""
        self.llm = llm
        self.prompts = PromptTemplates(
            "TripletExtractor", "agentkit.memory.graph", TEMPLATES, prompt_templates
        )
        self.cache = cache
        self.max_triplets = max_triplets
        self.max_tokens = max_tokens
        self.max_input_chars = max_input_chars
        self.concurrency = concurrency
        self.run_id = run_id
        self.schema = triplet_schema(max_triplets, max_chars)
        template = self.prompts["triplets"]
        settings = json.dumps([template, self.schema, max_tokens, max_input_chars, llm.model])
        self._salt = hashlib.sha256(settings.encode()).hexdigest()[:16]

    def cache_key(self, paragraph: Paragraph) -> str:
        return f"triplets:{self._salt}:{paragraph.key}"

    def prompt(self, paragraph: Paragraph) -> str:
        """The paragraph's leading sentences up to max_input_chars (at least one)."""
        kept: list[str] = []
        for sentence in (s.strip() for s in paragraph.sentences if s.strip()):
            if kept and sum(len(k) + 1 for k in kept) + len(sentence) > self.max_input_chars:
                break
            kept.append(sentence)
        text = " ".join(kept)[: self.max_input_chars]
        return self.prompts.render(
            "triplets", n=self.max_triplets, title=paragraph.title, text=text
        )

    def cached(self, paragraphs: Sequence[Paragraph]) -> dict[str, Extraction]:
        """Cached results by paragraph key (no model calls)."""
        if self.cache is None:
            return {}
        by_key = {self.cache_key(p): p.key for p in paragraphs}
        found = self.cache.get_many(by_key)
        return {by_key[k]: Extraction.model_validate_json(v) for k, v in found.items()}

    async def extract(
        self,
        paragraphs: Sequence[Paragraph],
        *,
        deadline_s: float | None = None,
        progress: bool = True,
    ) -> ExtractionReport:
        """Results for `paragraphs`, cached ones first; uncached ones are extracted in the
        given order until `deadline_s` seconds have passed (later ones are `skipped`)."""
        t0 = time.perf_counter()
        report = ExtractionReport(results=self.cached(paragraphs))
        report.cached = len(report.results)
        todo = list({p.key: p for p in paragraphs if p.key not in report.results}.values())
        queue: asyncio.Queue[Paragraph] = asyncio.Queue()
        for p in todo:
            queue.put_nowait(p)

        with Progress(disable=not progress, transient=True) as bar:
            task = bar.add_task("triplets", total=len(todo))

            async def worker() -> None:
                while not queue.empty():
                    if deadline_s is not None and time.perf_counter() - t0 > deadline_s:
                        return
                    paragraph = queue.get_nowait()
                    result = await self._extract_one(paragraph)
                    report.results[paragraph.key] = result
                    bar.advance(task)

            await asyncio.gather(*(worker() for _ in range(self.concurrency)))
        new = [report.results[p.key] for p in todo if p.key in report.results]
        report.called = len(new)
        report.skipped = len(todo) - len(new)
        report.failed = sum(r.status == "failed" for r in new)
        report.repaired = sum(r.status == "repaired" for r in new)
        report.prompt_tokens = sum(r.prompt_tokens for r in new)
        report.completion_tokens = sum(r.completion_tokens for r in new)
        report.wall_s = time.perf_counter() - t0
        return report

    async def _extract_one(self, paragraph: Paragraph) -> Extraction:
        structured = StructuredOutput(json_schema=self.schema)
        # vLLM-specific: no free whitespace between JSON tokens (saves ~1 token in 5).
        compact = {"structured_outputs": {"json": self.schema, "disable_any_whitespace": True}}
        labels = CallLabels(run=self.run_id, role="indexer", purpose="triplets")
        try:
            reply = await self.llm.generate(
                self.prompt(paragraph),
                max_tokens=self.max_tokens,
                structured=structured,
                labels=labels,
                extra_body=compact,
            )
        except BudgetExceededError:
            raise
        except (LLMError, StructuredOutputError, ContextWindowExceededError) as exc:
            return Extraction(status="failed", error=f"{type(exc).__name__}: {exc}"[:300])
        triples, repaired = parse_triplets(reply.text)
        result = Extraction(
            triples=triples,
            status="repaired" if repaired else "ok",
            prompt_tokens=reply.usage.prompt_tokens,
            completion_tokens=reply.usage.completion_tokens,
            latency_s=reply.latency_s,
        )
        if self.cache is not None:
            self.cache.put_many({self.cache_key(paragraph): result.model_dump_json().encode()})
        return result
