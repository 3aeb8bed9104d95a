"""ArcMemo (arXiv 2509.04439): memories written only from runs verified solved, in two formats.

- Lessons: (situation -> suggestion).
- Concepts: name, kind (structure | routine), output, typed parameters, cues (when it
  applies) and notes. Reusing a name extends the concept: the first writer's fields stay
  and fill only what it left empty, parameters merge by name, cues and notes are
  de-duplicated. The writer sees the stored concept names and is asked to reuse them.

The paper first rewrites a solution as pseudocode, then abstracts concepts; here the run's
plan already is one (a ReWOO plan, a CodeAgents program), so one call does both.
Selection: by embedding (default), or one model call that picks up to `top_k` from the
numbered list of the candidates' names (`select="model"`).
"""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from agentkit.llm import StructuredOutput

from .base import UNREADABLE, LearnedMemory, whole_collection
from .calls import Calls
from .episode import Episode
from .inject import Candidate
from .items import ItemMeta, Parameter
from .judge import Judgement
from .parse import Raw, read_items, text_of, texts_of

Format = Literal["lessons", "concepts"]
_LISTED = 30  # candidates a selection call reads


def _string(most: int = 300, least: int = 2) -> dict[str, object]:
    return {"type": "string", "minLength": least, "maxLength": most}


def _schema(fmt: Format, most: int) -> dict[str, object]:
    if fmt == "lessons":
        fields: dict[str, object] = {"situation": _string(), "suggestion": _string()}
    else:
        param = {
            "type": "object",
            "properties": {"name": _string(40, 1), "type": _string(40, 1)},
            "required": ["name", "type"],
        }
        strings = {"type": "array", "items": _string(), "maxItems": 3}
        fields = {
            "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]{2,40}$"},
            "kind": {"enum": ["structure", "routine"]},
            "output": _string(60),
            "parameters": {"type": "array", "items": param, "maxItems": 4},
            "cues": strings,
            "notes": strings,
        }
    item = {"type": "object", "properties": fields, "required": list(fields)}
    return {"type": "array", "items": item, "minItems": 1, "maxItems": most}


class ArcMemo(LearnedMemory):
    collection_name = "arcmemo"
    templates: ClassVar[dict[str, tuple[str, ...]]] = {
        "arcmemo_lessons": ("run", "most"),
        "arcmemo_concepts": ("run", "names", "most"),
        "arcmemo_select": ("task", "listed", "most"),
    }
    defaults: ClassVar[dict[str, object]] = {"top_k": 3}

    def __init__(
        self,
        *args: object,
        formats: tuple[Format, ...] = ("lessons", "concepts"),
        select: Literal["embedding", "model"] = "embedding",
        **kwargs: object,
    ) -> None:
        """`formats`: which of the two to write; `select`: how items are chosen for a task."""
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.formats = formats
        self.select = select

    async def distill(
        self, episode: Episode, judgement: Judgement | None, calls: Calls
    ) -> tuple[list[ItemMeta], list[str]]:
        if judgement is None or not judgement.success:
            return [], []  # ArcMemo writes only from runs verified solved
        run, most = episode.render(self.settings.trace_chars), self.settings.max_items_per_run
        limit = self.settings.max_chars
        metas: list[ItemMeta] = []
        problems: list[str] = []
        for fmt in self.formats:
            values: dict[str, object] = {"run": run, "most": most}
            if fmt == "concepts":
                values["names"] = ", ".join(self._concept_names()) or "(none yet)"
            options: dict[str, object] = {"max_tokens": self.settings.learn_tokens}
            if self.settings.structured:
                options["structured"] = StructuredOutput(json_schema=_schema(fmt, most))
            prompt = self.prompts.render(f"arcmemo_{fmt}", **values)
            try:  # one format's bad reply leaves the other's items
                reply = await calls.generate(prompt, purpose=fmt, **options)
                raw, found = read_items(reply.text, max_items=most, max_chars=limit)
            except UNREADABLE as exc:
                problems.append(f"{fmt}: {type(exc).__name__}: {exc}")
                continue
            problems += found
            for item in raw:
                meta = _lesson(item) if fmt == "lessons" else _concept(item)
                if meta is None:
                    problems.append(f"a {fmt[:-1]} lacks its fields ({sorted(item)}); dropped")
                else:
                    metas.append(meta)
        return metas, problems

    def merge(self, meta: ItemMeta) -> tuple[str, bool]:
        if meta.kind == "lesson":
            same = self._closest(meta)
            return self._absorb(same, meta) if same else super().merge(meta)
        same = self._same(meta, "name")
        if same is None:
            return super().merge(meta)
        extend(same.metadata, meta)
        return self._absorb(same, meta)

    async def candidates(self, task: str, calls: Calls) -> list[Candidate]:
        if self.select == "embedding" or self.items.count() == 0:
            return await super().candidates(task, calls)
        hits = self.items.search(task, top_k=min(_LISTED, self.items.count()))
        listed = "\n".join(f"{i}. {h.record.metadata.label}" for i, h in enumerate(hits, 1))
        most = self.settings.top_k
        prompt = self.prompts.render("arcmemo_select", task=task, listed=listed, most=most)
        regex = rf"(none|\d{{1,2}}(, \d{{1,2}}){{0,{most - 1}}})"
        reply = await calls.generate(
            prompt, purpose="select", max_tokens=4 * most, structured=StructuredOutput(regex=regex)
        )
        picked = [int(n) for n in re.findall(r"\d+", reply.text) if 0 < int(n) <= len(hits)]
        chosen = list(dict.fromkeys(picked))[:most]
        return [
            Candidate(
                id=hits[n - 1].record.id,
                memory=self.name,
                meta=hits[n - 1].record.metadata,
                relevance=1.0 - rank / (most + 1),
            )
            for rank, n in enumerate(chosen)
        ]

    def _concept_names(self) -> list[str]:
        where = {"kind": "concept"}
        if self.items.count(where) == 0:
            return []
        hits = self.items.search(whole_collection(self.store.dim), top_k=_LISTED, where=where)
        return [h.record.metadata.name for h in hits]


def extend(stored: ItemMeta, new: ItemMeta) -> None:
    """A reused concept name: empty fields filled by the newcomer, parameters merged by
    name (the first writer's type and description stay), cues and notes de-duplicated."""
    for field in ("concept_kind", "output", "content"):
        if not getattr(stored, field):
            setattr(stored, field, getattr(new, field))
    known = {p.name for p in stored.parameters}
    stored.parameters += [p for p in new.parameters if p.name not in known]
    for field in ("cues", "notes"):
        seen = {x.lower() for x in getattr(stored, field)}
        setattr(
            stored,
            field,
            getattr(stored, field) + [x for x in getattr(new, field) if x.lower() not in seen],
        )


def _lesson(item: Raw) -> ItemMeta | None:
    situation = text_of(item, "situation", "when")
    suggestion = text_of(item, "suggestion", "content", "then")
    if not (situation and suggestion):
        return None
    return ItemMeta(kind="lesson", situation=situation, content=suggestion)


def _concept(item: Raw) -> ItemMeta | None:
    name = re.sub(r"\W+", "_", text_of(item, "name").lower()).strip("_")
    if not name:
        return None
    params = item.get("parameters") or []
    parameters = [
        Parameter(
            name=text_of(p, "name"),
            type=text_of(p, "type"),
            description=text_of(p, "description"),
        )
        for p in (params if isinstance(params, list) else [])
        if isinstance(p, dict) and text_of(p, "name")
    ]
    return ItemMeta(
        kind="concept",
        name=name,
        concept_kind=text_of(item, "kind"),
        output=text_of(item, "output"),
        parameters=parameters,
        cues=texts_of(item, "cues"),
        notes=texts_of(item, "notes"),
    )
