"""Personalized PageRank by sparse power iteration, with the matrix built once per graph.

`networkx.pagerank` is scipy-backed too, but rebuilds the sparse matrix from the graph on
every call: on the HotpotQA open-corpus graph that conversion is most of a query's time
(measured in benchmarks/context_compression.py). Here the row-normalised transition matrix
is built once per graph version and each query is only the iteration. Same fixed point as
networkx (dangling nodes jump by the personalization vector; same stopping rule).
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from agentkit.errors import ConfigError


class PageRank:
    """Personalized PageRank over one (undirected, weighted) graph snapshot."""

    def __init__(self, graph: nx.Graph, weight: str = "weight") -> None:
        self.nodes: list[str] = list(graph.nodes)
        self.index = {node: i for i, node in enumerate(self.nodes)}
        adjacency = nx.to_scipy_sparse_array(graph, nodelist=self.nodes, weight=weight)
        out = np.asarray(adjacency.sum(axis=1)).ravel()
        scale = np.divide(1.0, out, out=np.zeros_like(out, dtype=float), where=out > 0)
        # transposed, so one step is a matrix-vector product: x_next = P^T x
        self._step = sp.csr_array(sp.diags_array(scale) @ adjacency).T.tocsr()
        self._dangling = out == 0

    def __len__(self) -> int:
        return len(self.nodes)

    def run(
        self,
        personalization: Mapping[str, float],
        *,
        damping: float = 0.5,
        tol: float = 1.0e-6,
        max_iter: int = 100,
    ) -> NDArray[np.float64]:
        """Scores (summing to 1) in the order of `self.nodes`. `damping` is the chance of
        following an edge rather than jumping back to the seeds (networkx's alpha)."""
        if not 0 <= damping < 1:
            raise ConfigError(f"damping must be in [0, 1), got {damping}")
        p = np.zeros(len(self.nodes))
        for node, value in personalization.items():
            if node in self.index and value > 0:
                p[self.index[node]] += value
        if p.sum() <= 0:
            raise ConfigError("no seed node of the graph has a positive weight; seed known nodes")
        p /= p.sum()
        x = p.copy()
        for _ in range(max_iter):
            previous = x
            x = damping * (self._step @ x + x[self._dangling].sum() * p) + (1 - damping) * p
            if np.abs(x - previous).sum() < len(x) * tol:
                break
        return x
