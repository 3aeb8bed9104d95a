"""The context-compression benchmark's markdown table and plot, drawn from the merged JSON
(any part may be missing: each section is drawn only when its part has run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compression_retrieval import BUDGETS


def table(rows: dict[str, Any], metric: str) -> list[str]:
    head = ["| method | " + " | ".join(str(b) for b in BUDGETS) + " |", "|---" * 5 + "|"]
    body = [
        f"| {name} | " + " | ".join(f"{v[str(b)][metric]:.3f}" for b in BUDGETS) + " |"
        for name, v in rows.items()
    ]
    return [*head, *body, ""]


def e2e_table(systems: dict[str, Any]) -> list[str]:
    keys = ["f1", "em", "tokens_per_question", "prompt_tokens_per_question"]
    keys += ["completion_tokens_per_question", "llm_calls_per_question", "errors"]
    head = "| system | F1 | EM | tokens/q | prompt/q | completion/q | LLM calls/q | errors |"
    rows = [f"| {k} | " + " | ".join(f"{v[c]:g}" for c in keys) + " |" for k, v in systems.items()]
    return [head, "|---" * 8 + "|", *rows, ""]


def retrieval_section(result: dict[str, Any]) -> list[str]:
    r, bar, t = result["retrieval"], result["bar"], result["ppr_timing"]
    cov = result["retrieval_triplet_coverage"]
    return [
        f"## Recall under a token budget ({result['n']} questions, no LLM at query time)",
        "",
        "Supporting-sentence recall by context budget (Qwen tokens, same greedy filler):",
        "",
        *table(r, "sp_recall"),
        "Answer-string recall (yes/no questions left out):",
        "",
        *table(r, "answer_recall"),
        f"Bar: graph_ppr at 400 tokens {bar['graph_ppr_at_400']:.3f} vs dense passages at 800 "
        f"{bar['dense_passages_at_800']:.3f}, target 0.83: {'met' if bar['met'] else 'NOT met'}. "
        f"Triplets present for {cov['paragraphs_with_triplets']:,} of {cov['paragraphs']:,} "
        "paragraphs in this run.",
        "",
        "Graph variants, sp recall (each changes one setting of graph_ppr):",
        "",
        *table(result["retrieval_variants"], "sp_recall"),
        "graph_ppr sp recall on the half its settings were tuned on vs the held-out half:",
        "",
        *table(result["graph_ppr_by_half"], "sp_recall"),
        *covered_lines(result["covered_subset"]),
        *failure_lines(result.get("graph_ppr_failures")),
        "Settings: " + settings_line(result["retrieval_settings"]),
        "",
        f"PPR: sparse power iteration {t['sparse_power_iteration_ms']} ms per query "
        f"(+{t['matrix_build_ms_once']} ms once per graph version) vs networkx.pagerank "
        f"{t['networkx_pagerank_ms']} ms; max |difference| {t['max_abs_diff']:.1e}, top-20 "
        f"agreement {t['top20_agreement']:.2f}.",
        "",
    ]


def covered_lines(covered: dict[str, Any]) -> list[str]:
    """With vs without triplets on the fully covered questions, or why it was skipped."""
    if covered.get("skipped"):
        return [f"With vs without triplets: skipped, {covered['skipped']}.", ""]
    sub = {k: v for k, v in covered.items() if k != "n"}
    return [
        f"The {covered['n']} questions whose 10 paragraphs all have triplets: "
        "sp recall, then answer recall:",
        "",
        *table(sub, "sp_recall"),
        *table(sub, "answer_recall"),
    ]


def run_line(result: dict[str, Any]) -> str:
    """What each part ran with (data, model, git commit), from the JSON's `runs`."""
    lines = []
    for part, r in sorted(result.get("runs", {}).items()):
        git = r["git"]
        dirty = " (uncommitted changes)" if git["dirty"] else ""
        lines.append(
            f"{part}: {r['data_label']} (n={r['n']}), {r['model']}, git "
            f"{(git['commit'] or 'unknown')[:10]}{dirty}"
        )
    return "; ".join(lines)


def settings_line(settings: dict[str, Any]) -> str:
    q, g = settings["query"], settings["graph"]
    return (
        f"tokenizer {settings['tokenizer']}, embedder {settings['embedder']}; packing: "
        f"{settings['packing']}. Graph edges: {g}. Query: {q}."
    )


def failure_lines(f: dict[str, Any] | None) -> list[str]:
    if not f:
        return []
    m = f["missed"]
    missed = m.get("page_shown", 0) + m.get("page_not_shown", 0)
    lines = [
        f"Failure cases (graph_ppr at {f['budget']} tokens): {missed} of {f['facts']} supporting "
        f"sentences missed; {m.get('page_not_shown', 0)} of them on a page not shown at all, "
        f"{m.get('page_shown', 0)} on a page shown with other sentences; "
        f"{m.get('lead_sentence', 0)} were a page's first sentence; "
        f"{m.get('bridge_question', 0)} in bridge questions, "
        f"{m.get('comparison_question', 0)} in comparison questions. First misses "
        "(question id, page, sentence, rank of the page in the graph's page order):",
        "",
    ]
    lines += [
        f"- `{e['id']}` {e['title']} #{e['sentence']} (page rank {e['page_rank']})"
        for e in f["examples"]
    ]
    return [*lines, ""]


def index_section(idx: dict[str, Any]) -> list[str]:
    cov, g = idx["coverage"], idx["graph"]
    runs = idx.get("extraction_runs", [])
    wall = sum(r["wall_s"] for r in runs)
    ledger = [r["ledger_indexer"] for r in runs if r.get("ledger_indexer")]
    prompt = sum(x["usage"]["prompt_tokens"] for x in ledger)
    completion = sum(x["usage"]["completion_tokens"] for x in ledger)
    return [
        "## Indexing",
        "",
        f"Triplets ({idx['extraction_settings']['model']}, JSON schema, at most "
        f"{idx['extraction_settings']['max_triplets']} per paragraph): "
        f"{cov['paragraphs_with_extraction']:,}/{cov['paragraphs']:,} paragraphs extracted, "
        f"{cov['paragraphs_with_triplets']:,} with triplets ({cov['triplets']:,} triplets; "
        f"{cov['questions_fully_covered']} questions fully covered); status {cov['status']}. "
        f"All extraction calls so far: {cov['cumulative_prompt_tokens']:,} prompt + "
        f"{cov['cumulative_completion_tokens']:,} completion tokens (engine usage kept in the "
        f"cache). Runs recorded here: {len(runs)}, {wall / 60:.1f} min of wall time, "
        f"{prompt:,} prompt + {completion:,} completion tokens in the ledger (role indexer).",
        "",
        f"Graph: {idx['sentences']:,} sentences; {g['node_count']:,} nodes {g['nodes']}, "
        f"{g['edge_count']:,} edges {g['edges']}; built in {idx['graph_build_s']:.1f} s "
        f"({idx['graph_build_fresh_embeddings']:,} texts embedded, the rest read from the "
        "embedding cache); adding the last 200 paragraphs to a graph of the others: "
        f"{idx['incremental_add_200_paragraphs_s']:.1f} s (same nodes as a full build: "
        f"{idx['incremental_same_nodes']}).",
        "",
    ]


def markdown(result: dict[str, Any]) -> str:
    md = [f"# Context compression: HotpotQA open setting ({corpus_words(result)})", ""]
    if "retrieval" in result:
        md += retrieval_section(result)
    if "end_to_end" in result:
        s = result["e2e_settings"]
        md += [f"## End to end, {s['model']}, first {s['n']} questions, open setting", ""]
        md += e2e_table(result["end_to_end"])
    if "indexing" in result:
        md += index_section(result["indexing"])
    md += [f"Machine: {result['machine']}. Measured: {result['measured_at']}.", ""]
    if runs := run_line(result):
        md += [f"Ran with: {runs}.", ""]
    return "\n".join(md)


def corpus_words(result: dict[str, Any]) -> str:
    """ "one corpus of 1,971 paragraphs": the size this run's corpus had."""
    coverages = [
        result.get("retrieval_triplet_coverage"),
        result.get("e2e_settings", {}).get("triplet_coverage"),
        result.get("indexing", {}).get("coverage"),
    ]
    sizes = [c["paragraphs"] for c in coverages if c]
    return f"one corpus of {sizes[0]:,} paragraphs" if sizes else "one corpus"


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    series = {**result["retrieval"]}
    series["graph_ppr_no_triplets"] = result["retrieval_variants"]["graph_ppr_no_triplets"]
    for ax, metric in zip(axes, ("sp_recall", "answer_recall"), strict=True):
        for name, by_budget in series.items():
            style = "--" if name.endswith("no_triplets") else "-"
            values = [by_budget[str(b)][metric] for b in BUDGETS]
            ax.plot(BUDGETS, values, style, marker="o", label=name)
        ax.set_xscale("log", base=2)
        ax.set_xticks(BUDGETS, [str(b) for b in BUDGETS])
        ax.set_xlabel("context budget (Qwen tokens)")
        ax.set_ylabel(metric.replace("_", " "))
        ax.grid(alpha=0.3)
    axes[0].axhline(0.83, color="grey", lw=0.8, ls=":")
    axes[1].legend(fontsize=8)
    fig.suptitle(
        f"HotpotQA open setting ({corpus_words(result)}), {result['n']} questions: "
        "recall vs budget",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
