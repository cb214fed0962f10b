"""The collaboration graph: who is tied to whom, and the evidence each tie carries.

Topology lives in a ``networkx.Graph`` whose nodes are the agents' ``unique_id``. Each edge has an
``eid`` attribute that indexes numpy arrays holding its history: positive and negative evidence
(``r``, ``s``), the month of the last interaction, the kind of tie, the number of joint projects
and the month it was created. Evidence fades with the monthly forgetting factor (Josang & Ismail
2002); the decay is applied lazily, ``r * forgetting ** (now - last)``, so unused ties weaken
without any work per month, and metrics read all edges at once as arrays.

>>> from sim.config import TrustConfig
>>> net = CollabNetwork(TrustConfig())
>>> for node in (1, 2): net.add_node(node, "public")
>>> round(net.trust(1, 2, step=0), 3)          # strangers: the prior a / (a + b)
0.5
>>> _ = net.record(1, 2, positive=1.0, step=0) # one success: (1 + 1) / (1 + 0 + 2)
>>> round(net.trust(1, 2, step=0), 3)
0.667
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from sim.config import NetworkConfig, TrustConfig

SECTORS = ("public", "business", "civil", "coordination")
TIE_KINDS = ("geographic", "local", "project", "introduction", "event", "membership")
EARTH_RADIUS_KM = 6371.0


class CollabNetwork:
    """Graph topology plus per-edge evidence arrays. Nodes are agent ids (small positive ints)."""

    def __init__(self, trust: TrustConfig):
        self.G = nx.Graph()
        self.a = trust.prior_positive
        self.b = trust.prior_negative
        self.forgetting = trust.forgetting
        self.sector = np.full(16, -1, dtype=np.int8)          # node id -> index into SECTORS
        self._n = 0                                              # edge slots used
        self.version = 0                                         # bumped whenever the topology changes
        self.changes = 0                                         # bumped whenever any tie or evidence changes
        self._table = (None, None)                               # (step, changes) -> edge table cache
        self._clustering = (None, 0.0)                           # (key, value) cache
        cap = 64
        self.u = np.zeros(cap, np.int64)
        self.v = np.zeros(cap, np.int64)
        self.r = np.zeros(cap)
        self.s = np.zeros(cap)
        self.last = np.zeros(cap, np.int64)
        self.kind = np.zeros(cap, np.int8)
        self.projects = np.zeros(cap, np.int64)
        self.created = np.zeros(cap, np.int64)
        self.alive = np.zeros(cap, bool)

    # -- nodes and ties ---------------------------------------------------------------------

    def add_node(self, node: int, sector: str, **attrs) -> None:
        if node >= len(self.sector):
            grown = np.full(max(2 * len(self.sector), node + 1), -1, dtype=np.int8)
            grown[: len(self.sector)] = self.sector
            self.sector = grown
        self.sector[node] = SECTORS.index(sector)
        self.G.add_node(node, sector=sector, **attrs)

    def add_ties(self, us, vs, kind: str, step: int, evidence: float = 0.0) -> None:
        """Add many new ties at once (pairs that are already tied are skipped)."""
        for u, v in zip(np.asarray(us).tolist(), np.asarray(vs).tolist()):
            if u != v and not self.G.has_edge(u, v):
                self._new_edge(u, v, kind, step, evidence)

    def tie(self, u: int, v: int, kind: str, step: int) -> int:
        """The edge id of the tie u-v, creating it (with no evidence) if there is none."""
        data = self.G.get_edge_data(u, v)
        return data["eid"] if data is not None else self._new_edge(u, v, kind, step, 0.0)

    def _new_edge(self, u: int, v: int, kind: str, step: int, evidence: float) -> int:
        eid = self._n
        if eid == len(self.u):
            for name in ("u", "v", "r", "s", "last", "kind", "projects", "created", "alive"):
                old = getattr(self, name)
                new = np.zeros(2 * len(old), old.dtype)
                new[: len(old)] = old
                setattr(self, name, new)
        self.u[eid], self.v[eid] = u, v
        self.r[eid], self.s[eid] = evidence, 0.0
        self.last[eid] = self.created[eid] = step
        self.kind[eid] = TIE_KINDS.index(kind)
        self.projects[eid] = 0
        self.alive[eid] = True
        self._n += 1
        self.G.add_edge(u, v, eid=eid)
        self.version += 1
        self.changes += 1
        return eid

    # -- evidence and trust -----------------------------------------------------------------

    def _decayed(self, eid, step):
        factor = self.forgetting ** (step - self.last[eid])
        return self.r[eid] * factor, self.s[eid] * factor

    def expected(self, r, s):
        """Beta-reputation expectation (r + a) / (r + s + a + b); 0 where there is no evidence and no prior."""
        den = r + s + self.a + self.b
        return np.where(den > 0, (r + self.a) / np.where(den > 0, den, 1.0), 0.0)

    def trust(self, u: int, v: int, step: int) -> float:
        """Trust between u and v now (the prior for strangers); plain floats, as it is called often."""
        data = self.G.get_edge_data(u, v)
        r = s = 0.0
        if data is not None:
            eid = data["eid"]
            factor = self.forgetting ** (step - int(self.last[eid]))
            r, s = float(self.r[eid]) * factor, float(self.s[eid]) * factor
        den = r + s + self.a + self.b
        return (r + self.a) / den if den > 0 else 0.0

    def record(self, u: int, v: int, step: int, positive: float = 0.0, negative: float = 0.0,
               kind: str = "project", joint_project: bool = False) -> int:
        """Add evidence from an interaction between u and v (creating the tie if needed)."""
        eid = self.tie(u, v, kind, step)
        r, s = self._decayed(eid, step)
        self.r[eid], self.s[eid] = r + positive, s + negative
        self.last[eid] = step
        self.changes += 1
        self.projects[eid] += int(joint_project)
        return eid

    def edge_table(self, step: int) -> dict[str, np.ndarray]:
        """All live ties as arrays: endpoints, decayed evidence, trust, kind, sectors (cached per month).
        Treat the arrays as read-only."""
        key = (step, self.changes)
        if self._table[0] == key:
            return self._table[1]
        idx = np.flatnonzero(self.alive[: self._n])
        factor = self.forgetting ** (step - self.last[idx])
        r, s = self.r[idx] * factor, self.s[idx] * factor
        table = dict(eid=idx, u=self.u[idx], v=self.v[idx], r=r, s=s, trust=self.expected(r, s),
                     kind=self.kind[idx], projects=self.projects[idx],
                     su=self.sector[self.u[idx]], sv=self.sector[self.v[idx]])
        self._table = (key, table)
        return table

    def average_clustering(self, exclude: int = -1, n_nodes: int | None = None, step: int = 0,
                           every: int = 1) -> float:
        """Average local clustering coefficient over the nodes not of sector ``exclude`` (``n_nodes`` of
        them), recomputed only when the topology has changed, and then at most in months 1, 1 + every, ..."""
        key = (self.version, exclude, n_nodes)
        due = self._clustering[0] is None or (step - 1) % every == 0
        if self._clustering[0] != key and due:
            idx = np.flatnonzero(self.alive[: self._n])
            idx = idx[(self.sector[self.u[idx]] != exclude) & (self.sector[self.v[idx]] != exclude)]
            n = self.G.number_of_nodes() if n_nodes is None else n_nodes
            self._clustering = (key, average_clustering(self.u[idx], self.v[idx], n))
        return self._clustering[1]

    def prune(self, step: int, min_evidence: float, unused_months: int = 12,
              keep: set[tuple[int, int]] = frozenset()) -> int:
        """Drop ties unused for ``unused_months`` whose decayed evidence r + s is below ``min_evidence``,
        except membership ties (to coordinating bodies) and the pairs in ``keep`` (given as (smaller id, larger id); e.g. partners of running projects,
        whose tie has no evidence until the project ends). Returns how many ties were dropped."""
        edges = self.edge_table(step)
        idle = step - self.last[edges["eid"]] >= unused_months
        standing = edges["kind"] == TIE_KINDS.index("membership")     # a membership is not a habit that fades
        weak = (edges["r"] + edges["s"] < min_evidence) & idle & ~standing
        dropped = 0
        for eid in edges["eid"][weak].tolist():
            pair = (int(min(self.u[eid], self.v[eid])), int(max(self.u[eid], self.v[eid])))
            if pair in keep:
                continue
            self.alive[eid] = False
            self.G.remove_edge(*pair)
            self.version += 1
            self.changes += 1
            dropped += 1
        return dropped


def average_clustering(u: np.ndarray, v: np.ndarray, n_nodes: int) -> float:
    """Average local clustering coefficient (as ``networkx.average_clustering``, nodes of degree < 2
    counting 0) from an edge list, by sparse matrix products: triangles_i = (A @ A * A).sum(1)_i / 2.

    >>> average_clustering(np.array([1, 2, 1]), np.array([2, 3, 3]), 3)   # a triangle
    1.0
    """
    if n_nodes == 0 or len(u) == 0:
        return 0.0
    size = int(max(u.max(), v.max())) + 1
    ones = np.ones(2 * len(u))
    A = sp.csr_matrix((ones, (np.r_[u, v], np.r_[v, u])), shape=(size, size))
    triangles = np.asarray((A @ A).multiply(A).sum(axis=1)).ravel() / 2
    degree = np.asarray(A.sum(axis=1)).ravel()
    possible = degree * (degree - 1) / 2
    local = np.divide(triangles, possible, out=np.zeros(size), where=possible > 0)
    return float(local.sum() / n_nodes)


# -- the initial graph ----------------------------------------------------------------------


def unit_vectors(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def nearby_pairs(lat: np.ndarray, lon: np.ndarray, max_km: float) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i < j) within ``max_km`` great-circle distance, via a k-d tree: O(n log n + pairs).

    Returns the pairs (sorted, so the result is deterministic) and their distances in km.
    """
    xyz = unit_vectors(lat, lon)
    chord = 2 * np.sin(min(max_km / EARTH_RADIUS_KM, np.pi) / 2)
    pairs = cKDTree(xyz).query_pairs(chord, output_type="ndarray")
    if len(pairs) == 0:
        return np.zeros((0, 2), np.int64), np.zeros(0)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    c = np.linalg.norm(xyz[pairs[:, 0]] - xyz[pairs[:, 1]], axis=1)
    return pairs, 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(c / 2, 0, 1))


def build_initial_ties(net: CollabNetwork, region: pd.DataFrame, muni_ids: np.ndarray,
                       actor_ids: np.ndarray, actor_home: np.ndarray, cfg: NetworkConfig,
                       rng: np.random.Generator) -> None:
    """Distance-decay ties between municipalities; companies and NGOs tied to home and locally.

    Municipalities i, j within ``max_km`` are tied with probability
    ``tie_probability * exp(-distance / decay_km)``. Each company and NGO is tied to its home
    municipality and to ``local_ties`` others of its municipality, drawn at random.
    """
    pairs, dist = nearby_pairs(region.lat.to_numpy(), region.lon.to_numpy(), cfg.max_km)
    keep = rng.random(len(pairs)) < cfg.tie_probability * np.exp(-dist / cfg.decay_km)
    net.add_ties(muni_ids[pairs[keep, 0]], muni_ids[pairs[keep, 1]], "geographic", 0, cfg.initial_evidence)
    if len(actor_ids) == 0:
        return
    net.add_ties(actor_ids, muni_ids[actor_home], "local", 0, cfg.initial_evidence)
    if cfg.local_ties == 0:
        return
    order = np.argsort(actor_home, kind="stable")
    bounds = np.searchsorted(actor_home[order], np.arange(len(muni_ids) + 1))
    for m in range(len(muni_ids)):
        members = actor_ids[order[bounds[m]: bounds[m + 1]]]
        if len(members) < 2:
            continue
        k = cfg.local_ties
        # each member draws k others of its municipality; an offset in 1..n-1 never picks itself,
        # and a pair drawn twice is tied once (so small places get fewer than k distinct ties)
        offsets = rng.integers(1, len(members), size=(len(members), k))
        others = members[(np.arange(len(members))[:, None] + offsets) % len(members)]
        net.add_ties(np.repeat(members, k), others.ravel(), "local", 0, cfg.initial_evidence)
