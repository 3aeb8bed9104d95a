"""Vectors for benchmarks/memory_scale.py: random, real MiniLM, text-like; their difficulty.

Random unit vectors are the floor (no neighbourhood structure). Real MiniLM embeddings of
HotpotQA exist only at ~10k: embedding 1M texts on 2 cores takes ~100 min. The text-like
set stands in at 1M: each vector is normalise(real vector + N(0, sigma^2 I)), the real
vector drawn at random from the ~10k, with the real questions as queries. Its sigma is
chosen so that the set is no easier than the real embeddings at equal size (see
`difficulty`), and documented with the results.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import faiss
import numpy as np
from rich.progress import Progress

from agentkit.evals import hotpotqa
from agentkit.memory.store import SentenceTransformerEmbedder
from agentkit.paths import home

DIM = 384
CHUNK = 100_000
LID_K = 100  # neighbours for the intrinsic-dimension estimate (and for ground truth)
RC_K = 10  # relative contrast to the 10th neighbour, as recall@10 is judged
SIGMA = 0.05
"""Noise per dimension of the text-like set: |noise| ~ 0.98, so a vector keeps cosine
~0.71 with its real seed and two vectors of one seed share only ~0.51. Against the 200
HotpotQA questions at the real set's size (~10k): relative contrast 1.22 (real 1.37,
random 1.09) and LID 29 (real 17, random 102), i.e. harder than real text. Sigma 0.01
matches real text there (1.36, 17.5), but at 1M a query's whole top-10 then comes from
one seed's ~100 near-copies (up to sigma 0.03; two seeds at 0.05): an easy structure
that real text does not have."""


def random_unit(n: int, seed: int, progress: Progress) -> np.ndarray:
    task = progress.add_task(f"random {n:,} x {DIM}", total=n)
    rng = np.random.default_rng(seed)
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, CHUNK):
        block = out[start : start + CHUNK]
        block[:] = rng.standard_normal(block.shape, dtype=np.float32)
        faiss.normalize_L2(block)
        progress.advance(task, len(block))
    return out


def text_like(seeds: np.ndarray, n: int, sigma: float, seed: int, progress: Progress) -> np.ndarray:
    """n vectors normalise(s + sigma * gaussian), each s a random row of `seeds`."""
    task = progress.add_task(f"text-like {n:,} x {DIM} (sigma {sigma})", total=n)
    rng = np.random.default_rng(seed)
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, CHUNK):
        block = out[start : start + CHUNK]
        block[:] = seeds[rng.integers(0, len(seeds), len(block))]
        block += sigma * rng.standard_normal(block.shape, dtype=np.float32)
        faiss.normalize_L2(block)
        progress.advance(task, len(block))
    return out


def hotpot_texts(path: Path) -> tuple[list[str], list[str]]:
    """Distinct sentences and whole paragraphs (the corpus), and the questions (queries)."""
    questions = hotpotqa.load(path)
    corpus: dict[str, None] = {}
    for q in questions:
        for _, sentences in q.context:
            for text in [*sentences, " ".join(s.strip() for s in sentences)]:
                if text.strip():
                    corpus.setdefault(text.strip())
    return list(corpus), [q.question for q in questions]


def hotpot_embeddings(path: Path, progress: Progress) -> tuple[np.ndarray, np.ndarray]:
    """MiniLM embeddings of hotpot_texts, cached outside the repo by data and model."""
    corpus, queries = hotpot_texts(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    cache = home() / "memory_scale" / f"hotpot-{digest}-minilm-v1.npz"
    if cache.is_file():
        saved = np.load(cache)
        if len(saved["corpus"]) == len(corpus):
            return saved["corpus"], saved["queries"]
    embedder = SentenceTransformerEmbedder()
    task = progress.add_task(
        "embed HotpotQA with all-MiniLM-L6-v2", total=len(corpus) + len(queries)
    )
    parts = []
    for start in range(0, len(corpus) + len(queries), 256):
        batch = (corpus + queries)[start : start + 256]
        parts.append(embedder.embed(batch))
        progress.advance(task, len(batch))
    vectors = np.concatenate(parts)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, corpus=vectors[: len(corpus)], queries=vectors[len(corpus) :])
    return vectors[: len(corpus)], vectors[len(corpus) :]


def neighbours(queries: np.ndarray, corpus: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-LID_K inner products and row numbers (the first 10: recall's truth)."""
    return faiss.knn(queries, corpus, min(LID_K, len(corpus)), metric=faiss.METRIC_INNER_PRODUCT)


def difficulty(
    data: str, corpus: np.ndarray, queries: np.ndarray, sims: np.ndarray
) -> dict[str, object]:
    """How hard nearest-neighbour search is for these queries, medians over queries.

    relative contrast (He, Kumar & Chang, ICML 2012): mean distance to the data over the
    distance to the 10th neighbour; near 1 the neighbours barely stand out (harder).
    LID: maximum-likelihood local intrinsic dimensionality over the 100 nearest
    neighbours (Levina & Bickel 2004; Amsaleg et al. 2015); higher is harder.
    """
    dist = np.sqrt(np.maximum(2.0 - 2.0 * sims, 1e-12))  # unit vectors: L2 from cosine
    sample = corpus[np.random.default_rng(0).choice(len(corpus), min(len(corpus), 10_000))]
    mean = np.sqrt(np.maximum(2.0 - 2.0 * queries @ sample.T, 0.0)).mean(axis=1)
    lid = -1.0 / np.mean(np.log(dist[:, :-1] / dist[:, -1:]), axis=1)
    return {
        "data": data,
        "n": len(corpus),
        "queries": len(queries),
        "relative_contrast_at_10": float(np.median(mean / dist[:, RC_K - 1])),
        "lid_at_100": float(np.median(lid)),
        "top1_cosine": float(np.median(sims[:, 0])),
    }
