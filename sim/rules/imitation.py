"""Strategy updating by imitation on a graph: the classic check of cooperation rules on networks.

``imitate_best`` is the rule of Nowak & May (1992, Nature 359:826): every node plays the prisoner's
dilemma (R = 1, T = b, S = P = 0) with each neighbour and itself, then all nodes at once copy the
strategy of the best scorer in their neighbourhood (themselves included). On a lattice with 8
neighbours the share of cooperators settles near 12 ln 2 - 8 = 0.318 for 1.8 < b < 2.
tests/test_literature.py reproduces that figure; it is the worked example of testing a rule
against the literature.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from sim.registry import Registry

imitation_rules = Registry("imitation rule")


def moore_lattice(size: int) -> nx.Graph:
    """A periodic size x size lattice in which each cell has its 8 surrounding cells as neighbours."""
    G = nx.Graph()
    for x in range(size):
        for y in range(size):
            for dx, dy in ((1, 0), (0, 1), (1, 1), (1, -1)):
                G.add_edge(x * size + y, ((x + dx) % size) * size + (y + dy) % size)
    return G


@imitation_rules.register("imitate_best", synchronous=True, stochastic=False)
class ImitateBest:
    """Play with every neighbour and oneself; then, all at once, copy the best scorer of one's
    neighbourhood (oneself included; a tie keeps one's own strategy) (Nowak & May 1992)."""

    def __init__(self, graph: nx.Graph, b: float):
        nodes = sorted(graph)
        index = {n: i for i, n in enumerate(nodes)}
        degree = {len(graph.adj[n]) for n in nodes}
        if len(degree) != 1:
            raise ValueError("imitate_best needs a regular graph (every node the same number of neighbours)")
        # each row: the node itself, then its neighbours
        self.hood = np.array([[index[n]] + sorted(index[m] for m in graph.adj[n]) for n in nodes])
        self.b = b

    def scores(self, cooperate: np.ndarray) -> np.ndarray:
        c_in_hood = cooperate[self.hood].sum(axis=1)
        return np.where(cooperate, 1.0, self.b) * c_in_hood

    def step(self, cooperate: np.ndarray) -> np.ndarray:
        s = self.scores(cooperate)[self.hood]
        best = s.argmax(axis=1)                        # the first maximum is the node itself if it ties
        return cooperate[self.hood[np.arange(len(best)), best]]
