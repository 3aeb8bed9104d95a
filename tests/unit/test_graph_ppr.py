"""Personalized PageRank: ranking sanity, and the same fixed point as networkx."""

import networkx as nx
import numpy as np
import pytest

from agentkit.errors import ConfigError
from agentkit.memory.graph.ppr import PageRank


def _two_components():
    g = nx.Graph()
    g.add_weighted_edges_from(
        [("seed", "a", 1.0), ("seed", "b", 2.0), ("a", "far", 1.0), ("x", "y", 1.0), ("y", "z", 5)]
    )
    g.add_node("lonely")  # dangling: no edges at all
    return g


def test_a_seeds_neighbours_outrank_unrelated_nodes():
    pr = PageRank(_two_components())
    scores = dict(zip(pr.nodes, pr.run({"seed": 1.0}, damping=0.5), strict=True))
    assert scores["b"] > scores["a"] > scores["far"]  # heavier edge, then one hop further
    assert min(scores["a"], scores["b"]) > max(scores["x"], scores["y"], scores["z"])
    assert scores["x"] == scores["lonely"] == 0.0
    assert sum(scores.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("damping", [0.5, 0.85])
def test_matches_networkx_pagerank(damping):
    g = nx.gnm_random_graph(60, 150, seed=3)
    for u, v in g.edges:
        g[u][v]["weight"] = 1 + (u * v) % 4
    g.add_node(99)  # a dangling node
    g = nx.relabel_nodes(g, str)
    seeds = {"1": 0.7, "5": 0.3}
    pagerank = PageRank(g)
    ours = dict(zip(pagerank.nodes, pagerank.run(seeds, damping=damping, tol=1e-10), strict=True))
    theirs = nx.pagerank(g, alpha=damping, personalization=seeds, tol=1e-10, weight="weight")
    assert max(abs(ours[n] - theirs[n]) for n in g) < 1e-6


def test_bad_seeds_and_damping_are_refused():
    pr = PageRank(_two_components())
    with pytest.raises(ConfigError, match="no seed node"):
        pr.run({"unknown": 1.0})
    with pytest.raises(ConfigError, match="damping"):
        pr.run({"seed": 1.0}, damping=1.0)
    assert np.isclose(pr.run({"seed": 1.0}, damping=0.0)[pr.index["seed"]], 1.0)
