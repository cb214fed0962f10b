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
from scipy.spatial import cKDTree

from sim.config import NetworkConfig, TrustConfig

SECTORS = ("public", "business", "civil", "coordination")
COORDINATION = SECTORS.index("coordination")
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
        self.changes = 0                                         # bumped whenever any tie or evidence changes
        self.version = 0                                         # bumped whenever a tie comes or goes
        self._tables: dict[bool, tuple] = {}                     # actors_only -> ((step, changes), table)
        self._clustering = (None, 0.0)                           # (version, n_nodes) -> value
        self._powers = np.ones(1)                                # forgetting ** months, months = 0, 1, ...
        # triangles and degree of every node in the graph of actors' ties (coordinating bodies' ties left
        # out), kept up to date as ties come and go, so the clustering coefficient costs O(nodes)
        # (plain lists: they change one tie at a time, where numpy's per-item overhead would dominate)
        self.triangles: list[int] = []
        self.degree: list[int] = []
        self.bodies: set[int] = set()                            # nodes of coordinating bodies
        cap = 64
        self.u = np.zeros(cap, np.int64)
        self.v = np.zeros(cap, np.int64)
        self.su = np.zeros(cap, np.int8)                         # sectors of u and v
        self.sv = np.zeros(cap, np.int8)
        self.r = np.zeros(cap)
        self.s = np.zeros(cap)
        self.last = np.zeros(cap, np.int64)
        self.kind = np.zeros(cap, np.int8)
        self.projects = np.zeros(cap, np.int64)
        self.created = np.zeros(cap, np.int64)
        self.actors = np.zeros(cap, bool)                        # neither end is a coordinating body
        self.alive = np.zeros(cap, bool)

    # -- nodes and ties ---------------------------------------------------------------------

    def add_node(self, node: int, sector: str, **attrs) -> None:
        if node >= len(self.sector):
            grown = np.full(max(2 * len(self.sector), node + 1), -1, dtype=np.int8)
            grown[: len(self.sector)] = self.sector
            self.sector = grown
        if node >= len(self.degree):
            self.triangles.extend([0] * (node + 1 - len(self.triangles)))
            self.degree.extend([0] * (node + 1 - len(self.degree)))
        self.sector[node] = SECTORS.index(sector)
        if sector == "coordination":
            self.bodies.add(node)
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
            for name in ("u", "v", "su", "sv", "r", "s", "last", "kind", "projects", "created", "actors", "alive"):
                old = getattr(self, name)
                new = np.zeros(2 * len(old), old.dtype)
                new[: len(old)] = old
                setattr(self, name, new)
        self.u[eid], self.v[eid] = u, v
        self.su[eid], self.sv[eid] = self.sector[u], self.sector[v]
        self.actors[eid] = u not in self.bodies and v not in self.bodies
        self.r[eid], self.s[eid] = evidence, 0.0
        self.last[eid] = self.created[eid] = step
        self.kind[eid] = TIE_KINDS.index(kind)
        self.projects[eid] = 0
        self.alive[eid] = True
        self._n += 1
        self._count_triangles(u, v, +1)
        self.G.add_edge(u, v, eid=eid)
        self.changes += 1
        self.version += 1
        return eid

    def _count_triangles(self, u: int, v: int, sign: int) -> None:
        """Update triangles and degrees for the tie u-v coming (+1) or going (-1); call it while the
        tie is not in the graph. Ties of coordinating bodies do not count."""
        bodies = self.bodies
        if u in bodies or v in bodies:
            return
        a, b = self.G._adj[u], self.G._adj[v]      # networkx's own dicts (its algorithms read them too)
        if len(a) > len(b):
            a, b = b, a
        tri = self.triangles
        k = 0
        for w in a:
            if w in b and w not in bodies:
                tri[w] += sign
                k += 1
        tri[u] += sign * k
        tri[v] += sign * k
        self.degree[u] += sign
        self.degree[v] += sign

    # -- evidence and trust -----------------------------------------------------------------

    def _decayed(self, eid, step):
        factor = self.forgetting ** (step - self.last[eid])
        return self.r[eid] * factor, self.s[eid] * factor

    def expected(self, r, s):
        """Beta-reputation expectation (r + a) / (r + s + a + b); 0 where there is no evidence and no prior."""
        den = r + s + self.a + self.b
        if self.a + self.b > 0:                       # the usual case: every denominator is positive
            return (r + self.a) / den
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

    def edge_table(self, step: int, actors_only: bool = False) -> dict[str, np.ndarray]:
        """All live ties as arrays: edge id, endpoints, decayed evidence, trust, kind, joint projects,
        sectors (cached per month). ``actors_only`` leaves out the coordinating bodies' ties. Treat the
        arrays as read-only."""
        key = (step, self.changes)
        cached = self._tables.get(actors_only)
        if cached is not None and cached[0] == key:
            return cached[1]
        n = self._n
        idx = np.flatnonzero(self.alive[:n] & self.actors[:n] if actors_only else self.alive[:n])
        factor = self.decay(step - self.last[idx])
        r, s = self.r[idx] * factor, self.s[idx] * factor
        table = dict(eid=idx, u=self.u[idx], v=self.v[idx], r=r, s=s, trust=self.expected(r, s),
                     kind=self.kind[idx], projects=self.projects[idx], su=self.su[idx], sv=self.sv[idx])
        self._tables[actors_only] = (key, table)
        return table

    def decay(self, months: np.ndarray) -> np.ndarray:
        """``forgetting ** months`` for whole months, from a table (the same numbers, without a power each)."""
        if len(months) and months.max() >= len(self._powers):
            self._powers = self.forgetting ** np.arange(max(2 * len(self._powers), int(months.max()) + 1))
        return self._powers[months]

    def average_clustering(self, n_nodes: int) -> float:
        """Average local clustering coefficient of the actors' ties (as ``networkx.average_clustering``
        over ``n_nodes`` nodes, those with fewer than two ties counting 0); recomputed when ties change."""
        key = (self.version, n_nodes)
        if self._clustering[0] != key:
            degree = np.array(self.degree, dtype=float)
            possible = degree * (degree - 1) / 2
            local = np.divide(np.array(self.triangles, dtype=float), possible, out=np.zeros(len(possible)),
                              where=possible > 0)
            self._clustering = (key, float(local.sum() / n_nodes) if n_nodes else 0.0)
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
            self._count_triangles(*pair, -1)
            self.changes += 1
            self.version += 1
            dropped += 1
        return dropped


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
