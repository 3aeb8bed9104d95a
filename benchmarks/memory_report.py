"""The markdown table, bar verdicts and plot of benchmarks/memory_scale.py results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentkit.memory.store import IndexSettings


def fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown(result: dict[str, Any]) -> str:
    m, s = result["machine"], result["settings"]
    lines = [
        "# Memory store at scale (agentkit.memory, FAISS)",
        "",
        f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, GPUs seen by FAISS: {m['gpus']}; "
        f"faiss {m['faiss']}; ingest on {s['threads']} OpenMP threads, queries on "
        f"{s['query_threads']}, one query at a time through `Collection.search` (top-10, "
        f"records fetched). Load average at start {fmt(m['load_avg_at_start'][0])} "
        f"(the cores are shared with other runs). Text-like noise sigma {s['sigma']}. Wall time "
        f"{result['wall_s'] / 60:.1f} min.",
        "",
        "| data | n | index | nprobe | p50 ms | p99 ms | recall@10 | ingest/s | +10%/s "
        "| delete/s | save s | reopen s | RSS MB | disk MB |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["results"]:
        default = " (default)" if r.get("default") and r.get("nprobe") else ""
        lines.append(
            "| "
            + " | ".join(
                [
                    r["data"],
                    fmt(r["n"]),
                    r["index"],
                    fmt(r.get("nprobe")) + default,
                    fmt(r["p50_ms"]),
                    fmt(r["p99_ms"]),
                    fmt(r["recall_at_10"], 3),
                    fmt(r.get("ingest_per_s")),
                    fmt(r.get("add_more_per_s")),
                    fmt(r.get("delete_per_s")),
                    fmt(r.get("save_s")),
                    fmt(r.get("reopen_s")),
                    fmt(r.get("memory_mb")),
                    fmt(r.get("disk_mb")),
                ]
            )
            + " |"
        )
    lines += ["", "## Difficulty of each data set (queries against the corpus)", ""]
    lines += [
        "| data | n | queries | relative contrast @10 | LID @100 | top-1 cosine |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for d in result["difficulty"]:
        lines.append(
            f"| {d['data']} | {fmt(d['n'])} | {d['queries']} | "
            f"{fmt(d['relative_contrast_at_10'])} | {fmt(d['lid_at_100'], 1)} | "
            f"{fmt(d['top1_cosine'])} |"
        )
    lines += ["", *DIFFICULTY_NOTES]
    for data, t in result["targets"].items():
        lines += ["", f"## The bar at 1M records: {data}", "", *bar_lines(t)]
        lines += context(data, result)
    lines += [
        "",
        "## Index choice: raw FAISS indexes on the same vectors",
        "",
        "| data | n | index | knob | build/s | p50 ms | recall@10 |",
        "|---|---:|---|---|---:|---:|---:|",
    ]
    for r in result["index_choice"]:
        lines.append(
            f"| {r['data']} | {fmt(r['n'])} | {r['index']} | {r['param']} | "
            f"{fmt(r['build_per_s'])} | {fmt(r['p50_ms'])} | {fmt(r['recall_at_10'], 3)} |"
        )
    lines += ["", *result["notes"]]
    return "\n".join(lines) + "\n"


def bar_lines(t: dict[str, Any]) -> list[str]:
    best, fastest = t["best_recall_within_2ms"], t["fastest_with_recall_ge_0.95"]
    default = t["default_nprobe"]
    met = t["p50_le_2ms_and_recall_ge_0.95"]["met"]
    return [
        f"- p50 <= 2 ms with recall@10 >= 0.95: {'met' if met else 'NOT met'}. "
        + (
            f"Best recall within 2 ms: {fmt(best['recall_at_10'], 3)} at {best['index']} "
            f"nprobe {best['nprobe']} (p50 {fmt(best['p50_ms'])} ms, p99 "
            f"{fmt(best['p99_ms'])} ms). "
            if best
            else "No setting answers within 2 ms. "
        )
        + (
            f"Recall >= 0.95 first at nprobe {fastest['nprobe']}: p50 "
            f"{fmt(fastest['p50_ms'])} ms, recall {fmt(fastest['recall_at_10'], 3)}."
            if fastest
            else "No setting tried reaches recall 0.95."
        )
        + (
            f" Store default (nprobe {default['nprobe']}): p50 {fmt(default['p50_ms'])} ms, "
            f"p99 {fmt(default['p99_ms'])} ms, recall {fmt(default['recall_at_10'], 3)}."
            if default
            else ""
        ),
        f"- ingest >= 50k/s: {'met' if t['ingest_ge_50k_per_s']['met'] else 'NOT met'} "
        f"({fmt(t['ingest_ge_50k_per_s']['ingest_per_s'])}/s into an empty store, SQLite "
        "rows and IVF training included; adding 10% more to the trained index: "
        f"{fmt(t['ingest_ge_50k_per_s']['add_more_per_s'])}/s).",
        f"- reopen <= 5 s: {'met' if t['reopen_le_5s']['met'] else 'NOT met'} "
        f"({fmt(t['reopen_le_5s']['reopen_s'])} s, CRC32 check of every file included; "
        "files in the page cache).",
    ]


def context(data: str, result: dict[str, Any]) -> list[str]:
    """What the bar's figures on `data` say, with its difficulty and bare exact search."""
    hard = [d for d in result["difficulty"] if d["data"] == data and d["n"] == 1_000_000]
    flat = [r for r in result["results"] if r["data"] == data and r["index"].startswith("flat")]
    flat = [r for r in flat if r["n"] == 1_000_000]
    if not hard or not flat:
        return []
    facts = (
        f"relative contrast {fmt(hard[0]['relative_contrast_at_10'])}, LID "
        f"{fmt(hard[0]['lid_at_100'], 1)}; bare exact search p50 {fmt(flat[0]['p50_ms'])} ms"
    )
    if data == "random":
        return [
            f"- Why random is the floor ({facts}): its 10th neighbour is barely closer than "
            "an average point, so no partition (IVF) or graph (HNSW) can find the true top-10 "
            "without scanning most of the data; the recall above grows roughly with the share "
            "of lists scanned. Recall 0.95 within 2 ms on such data would need exact search "
            f"about {flat[0]['p50_ms'] / 2:.0f}x faster than FAISS's on these cores. Text "
            "embeddings are not like this "
            "(see the difficulty table), so this row bounds the worst case, not the use case.",
        ]
    return [
        f"- {data} ({facts}): synthetic vectors built from real MiniLM embeddings and no "
        "easier than them at equal size (difficulty table); a 1M real-text corpus could not "
        "be embedded on these cores (~170 sentences/s, ~100 min), so these rows stand in for "
        "it rather than prove it.",
    ]


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in result["results"]:
        groups.setdefault(f"{r['data']} {r['n']:,} {r['index']}", []).append(r)
    for label, rows in groups.items():
        ax.plot([r["p50_ms"] for r in rows], [r["recall_at_10"] for r in rows], "o-", label=label)
    ax.axvline(2.0, color="grey", ls=":")
    ax.axhline(0.95, color="grey", ls=":")
    ax.set_xscale("log")
    ax.set_xlabel("p50 latency per query, ms (log)")
    ax.set_ylabel("recall@10 vs exact")
    ax.set_title("agentkit.memory: recall vs latency (IVF points: nprobe sweep)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


_S = IndexSettings()
STORE_NOTE = (
    f"- The store goes exact -> IVF-Flat at {_S.exact_max:,} records, with nlist = the power "
    f"of two nearest sqrt(n), k-means on {_S.train_per_list} x nlist samples for "
    f"{_S.kmeans_iters} iterations, and scans nprobe {_S.nprobe} lists by default (the row "
    "marked default); the other nprobe rows pass nprobe= to search."
)
DIFFICULTY_NOTES = [
    "Relative contrast is the mean query-to-data distance over the distance to the 10th "
    "neighbour (He, Kumar & Chang 2012; near 1: the neighbours barely stand out); LID is "
    "the maximum-likelihood local intrinsic dimensionality over the 100 nearest neighbours "
    "(Levina & Bickel 2004, Amsaleg et al. 2015; higher: harder). Medians over the queries. "
    "Both grow easier with n for structured data, so the text-like set is also measured on "
    "its first rows at the real set's size: there it is harder than the real embeddings "
    "on both statistics.",
]

NOTES = [
    "Notes:",
    "- Random unit vectors in 384-d have no neighbourhood structure: the true top-10 are "
    "barely closer than any other point (relative contrast ~1.1), so every partition or "
    "graph method must scan a large share of the data to find them; at 1M, recall 0.95 "
    "needs most of the index scanned, and bare exact search alone takes tens of ms (the flat "
    "rows). These rows are a floor, not what text gives.",
    "- Real rows use all-MiniLM-L6-v2 embeddings of the ~10k distinct HotpotQA dev "
    "sentences and paragraphs with the 200 questions as queries; the IVF store there is "
    "forced (exact_max=1000) to measure its recall on a real text distribution.",
    "- Text-like rows: each vector is normalise(real vector + N(0, sigma^2 I)) with the "
    "real vector drawn at random from the ~10k, sigma in settings.sigma; queries are the "
    "real questions. Synthetic, so its figures stand in for a 1M text corpus, they are not "
    "one; see the difficulty table for how it compares.",
    STORE_NOTE,
    "- Ingest and latency are CPU-bound on both cores, so they move with the load average "
    "in the header (other engineers' vLLM servers and benchmarks share the cores): the bare "
    "FAISS IVF build in the index-choice table, run in the same minutes, shows what the "
    "cores gave. The latency p99 mostly measures that sharing.",
    "- Latency includes the store's own work (SQLite lookup of the 10 records, pydantic "
    "records); `flat (faiss, no store)` rows are bare exact search for scale.",
    "- RSS MB is the growth of the process during ingest (near 0 for small stores that "
    "reuse memory freed by the 1M run); save/reopen write and read a complete generation "
    "(FAISS file + SQLite + manifest with CRC32s).",
    "- Anchor: FAISS's wiki page 'Indexing 1M vectors' reports IVF/HNSW on real 1M "
    "descriptors in batch mode on 20 threads and warns that one thread is ~10x slower and "
    "one query at a time another 2-3x; these rows are one query at a time on 1 thread.",
]
