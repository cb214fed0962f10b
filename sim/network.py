"""The collaboration graph: who is tied to whom, and the evidence each tie carries.

Topology: ``eid_of[u][v]`` is the edge id of the tie u-v (nodes are the agents' ``unique_id``), and
``G`` gives the same as a ``networkx.Graph`` whose edges carry that ``eid``. The edge id indexes numpy
arrays holding the tie's history: positive and negative evidence (``r``, ``s``), the month of the last
interaction, the kind of tie, the number of joint projects and the month it was created. Evidence
fades with the monthly forgetting factor (Josang & Ismail 2002); the decay is applied lazily,
``r * forgetting ** (now - last)``, so unused ties weaken without any work per month, and metrics
read all edges at once as arrays.

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

import weakref
from dataclasses import dataclass

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
        self.nodes: dict[int, dict] = {}                         # node -> its attributes (sector, kind)
        self._graph: tuple | None = None                         # (key, networkx.Graph), see G
        self._topology = 0                                       # bumped whenever a tie comes or goes
        self.a = trust.prior_positive
        self.b = trust.prior_negative
        self.forgetting = trust.forgetting
        self.sector = np.zeros(0, dtype=np.int8)              # node id -> index into SECTORS (-1: none)
        self._n = 0                                              # edge slots used
        self.changes = 0                                         # bumped whenever any tie or evidence changes
        self._table: EdgeTable | None = None                     # this month's edge table
        self._actor_trust: tuple | None = None                   # ((step, changes), ActorTrust)
        self.latest = 0                                          # the latest month in which a tie changed
        self._powers: list[float] = [1.0]                        # forgetting ** months, months = 0, 1, ...
        self._power_array = np.ones(1)                           # the same as an array
        self.neighbours: dict[int, tuple[set[int], ...]] = {}   # node -> its neighbours by sector index
        self.eid_of: dict[int, dict[int, int]] = {}             # node -> {neighbour: edge id of their tie}
        # triangles and degree of every node in the graph of actors' ties (coordinating bodies' ties left
        # out), kept up to date as ties come and go, so the clustering coefficient costs O(nodes)
        # (plain lists: they change one tie at a time, where numpy's per-item overhead would dominate)
        self.triangles: list[int] = []
        self.degree: list[int] = []
        self.actor_neighbours: dict[int, set[int]] = {}          # the same ties as sets, actors only
        self._local = np.zeros(0)                                # local clustering coefficient by node,
        self._dirty: set[int] = set()                            # ... out of date for these nodes
        self._sector: list[int] = []                             # self.sector as a list, read per tie
        cap = 64
        self.u = np.zeros(cap, np.int64)
        self.v = np.zeros(cap, np.int64)
        self.su = np.zeros(cap, np.int8)                         # sectors of u and v
        self.sv = np.zeros(cap, np.int8)
        self.pair = np.zeros(cap, np.int8)                       # sector pair: 3 * min(su, sv) + max(su, sv)
        self.tally = np.zeros(cap, np.intp)                      # pair for live ties between actors, else 9
        self.ties_by_pair = np.zeros(NOT_TALLIED + 1, np.int64)  # edge slots by tally code
        # Most ties keep the evidence they were made with (a region's initial ties: 97 % of all ties after
        # 120 default months), so they all have the same trust: the metrics compute it once for them
        self.standing: tuple[float, int] | None = None           # (evidence, month) of the first ties made
        self.r = np.zeros(cap)
        self.s = np.zeros(cap)
        self.last = np.zeros(cap, np.int64)
        self.kind = np.zeros(cap, np.int8)
        self.projects = np.zeros(cap, np.int64)
        self.created = np.zeros(cap, np.int64)
        self.alive = np.zeros(cap, bool)

    # -- nodes and ties ---------------------------------------------------------------------

    def add_node(self, node: int, sector: str, **attrs) -> None:
        if node in self.neighbours:
            raise ValueError(f"node {node} is already in the network")
        if node >= len(self.degree):                  # grow by doubling
            more = max(len(self.degree), node + 1 - len(self.degree), 16)
            self.sector = np.concatenate([self.sector, np.full(more, -1, dtype=np.int8)])
            self.triangles.extend([0] * more)
            self.degree.extend([0] * more)
            self._sector.extend([-1] * more)
            self._local = np.concatenate([self._local, np.zeros(more)])
        self.sector[node] = self._sector[node] = SECTORS.index(sector)
        self.neighbours[node] = (set(), set(), set(), set())    # one per entry of SECTORS
        self.eid_of[node] = {}
        self.actor_neighbours[node] = set()
        self.nodes[node] = {"sector": sector, **attrs}

    def add_ties(self, us, vs, kind: str, step: int, evidence: float = 0.0) -> None:
        """Add many new ties at once, in order (a pair already tied, or repeated, is skipped). Both
        ends must already be nodes. ``evidence`` (positive evidence, the same for all of them) is a number."""
        evidence = float(evidence)
        us, vs = np.asarray(us).tolist(), np.asarray(vs).tolist()
        missing = [node for node in set(us) | set(vs) if node not in self.neighbours]
        if missing:
            raise ValueError(f"node(s) {sorted(missing)[:3]} not in the network; add them (add_node) before tying them")
        eid_of, seen, new_u, new_v = self.eid_of, set(), [], []
        for u, v in zip(us, vs):
            pair = (u, v) if u < v else (v, u)
            if u != v and v not in eid_of[u] and pair not in seen:
                seen.add(pair)
                new_u.append(u)
                new_v.append(v)
        first, k = self._n, len(new_u)
        self._reserve(first + k)
        at = slice(first, first + k)
        U, V = np.array(new_u, dtype=np.int64), np.array(new_v, dtype=np.int64)
        self.u[at], self.v[at], self.su[at], self.sv[at] = U, V, self.sector[U], self.sector[V]
        self.pair[at] = pair_code(self.su[at], self.sv[at])
        actors = (self.su[at] != COORDINATION) & (self.sv[at] != COORDINATION)
        self.tally[at] = np.where(actors, self.pair[at], NOT_TALLIED)
        self.ties_by_pair += np.bincount(self.tally[at], minlength=NOT_TALLIED + 1)
        if k and self.standing is None:
            self.standing = (evidence, step)
        self.r[at], self.s[at], self.last[at], self.created[at] = evidence, 0.0, step, step
        if k:
            self.latest = max(self.latest, step)
        self.kind[at], self.projects[at], self.alive[at] = TIE_KINDS.index(kind), 0, True
        self._n += k
        self._link(zip(new_u, new_v, range(first, first + k)), +1)
        self.changes += k
        self._topology += k

    @property
    def n_ties(self) -> int:
        """Live ties, bodies' included."""
        return int(self.alive[: self._n].sum())

    @property
    def G(self) -> nx.Graph:
        """The collaboration graph as a ``networkx.Graph``: nodes (agent ids, in the order they were added)
        with ``sector`` and ``kind``, live ties (in the order they were made) with their ``eid``. Built when
        asked for and shared until a tie comes or goes: a snapshot to read, not to edit (edits would not
        reach the model and other readers would see them; take ``G.copy()`` to change a graph). Ties change
        through :meth:`tie`, :meth:`record` and :meth:`prune`; the model itself steps on ``eid_of`` and
        ``neighbours``, which spares it networkx's dict per tie."""
        key = (self._topology, len(self.nodes))
        if self._graph is None or self._graph[0] != key:
            graph = nx.Graph()
            graph.add_nodes_from(self.nodes.items())
            live = np.flatnonzero(self.alive[: self._n])
            graph.add_edges_from((u, v, {"eid": eid}) for u, v, eid in
                                 zip(self.u[live].tolist(), self.v[live].tolist(), live.tolist()))
            self._graph = (key, graph)
        return self._graph[1]

    def tie(self, u: int, v: int, kind: str, step: int) -> int:
        """The edge id of the tie u-v, creating it (with no evidence) if there is none."""
        eid = self.eid_of[u].get(v) if u in self.eid_of else None
        return eid if eid is not None else self._new_edge(u, v, kind, step, 0.0)

    def _new_edge(self, u: int, v: int, kind: str, step: int, evidence: float) -> int:
        if u == v:                                    # add_ties would skip it (and refuses unknown nodes)
            raise ValueError(f"a tie needs two different nodes, not {u} and itself")
        self.add_ties([u], [v], kind, step, evidence)
        return self._n - 1

    def _reserve(self, size: int) -> None:
        """Room for ``size`` edge slots (capacity doubles)."""
        if size <= len(self.u):
            return
        cap = max(2 * len(self.u), size)
        for name in ("u", "v", "su", "sv", "pair", "tally", "r", "s", "last", "kind", "projects", "created", "alive"):
            old = getattr(self, name)
            new = np.zeros(cap, old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def _link(self, ties, sign: int) -> None:
        """Update edge ids, neighbour sets, triangles and degrees for ``ties`` ((u, v, edge id) each)
        coming (+1) or going (-1). Ties of coordinating bodies count as neighbours, not in triangles
        and degrees. (One loop over all the ties with everything it touches at hand: a region's
        initial ties come in thousands.)"""
        sector, by_sector, actors, eid_of = self._sector, self.neighbours, self.actor_neighbours, self.eid_of
        triangles, degree, dirty = self.triangles, self.degree, self._dirty
        for u, v, eid in ties:
            su, sv = sector[u], sector[v]
            if sign > 0:
                by_sector[u][sv].add(v)
                by_sector[v][su].add(u)
                eid_of[u][v] = eid_of[v][u] = eid
            else:
                by_sector[u][sv].discard(v)
                by_sector[v][su].discard(u)
                del eid_of[u][v], eid_of[v][u]
            if su == COORDINATION or sv == COORDINATION:
                continue
            au, av = actors[u], actors[v]
            if sign < 0:
                au.discard(v)
                av.discard(u)
            if not au.isdisjoint(av):                     # triangles through common neighbours
                common = au & av                          # (without the tie itself)
                for w in common:
                    triangles[w] += sign
                dirty.update(common)
                triangles[u] += sign * len(common)
                triangles[v] += sign * len(common)
            dirty.add(u)
            dirty.add(v)
            degree[u] += sign
            degree[v] += sign
            if sign > 0:
                au.add(v)
                av.add(u)

    # -- evidence and trust -----------------------------------------------------------------

    def decay(self, step: int, last):
        """``forgetting ** (step - last)``: how much of the evidence recorded in month(s) ``last`` (an int
        or an int array) is left in month ``step``, from one table, so that every path to a tie's
        trust computes the same number. ``step`` may not be before the latest month with evidence."""
        if step < self.latest:
            raise ValueError(f"evidence asked for month {step}, before month {self.latest} in which some was "
                             "recorded; pass the current month")
        if step >= len(self._powers):
            self._powers = [self.forgetting ** k for k in range(max(2 * len(self._powers), step + 1))]
            self._power_array = np.array(self._powers)
        if isinstance(last, int):                     # one tie (the frequent case: plain ints, no numpy)
            return self._powers[step - last]
        return self._power_array[step - np.asarray(last)]

    def _decayed(self, eid, step):
        factor = self.decay(step, self.last.item(eid))
        return self.r.item(eid) * factor, self.s.item(eid) * factor

    def expected(self, r, s):
        """Beta-reputation expectation (r + a) / (r + s + a + b); 0 where there is no evidence and no prior."""
        den = r + s + self.a + self.b
        if self.a + self.b > 0:                       # the usual case: every denominator is positive
            return (r + self.a) / den
        return np.where(den > 0, (r + self.a) / np.where(den > 0, den, 1.0), 0.0)

    def trust(self, u: int, v: int, step: int) -> float:
        """Trust between u and v now (the prior for strangers); plain floats, as it is called often."""
        eid = self.eid_of[u].get(v) if u in self.eid_of else None
        r = s = 0.0
        if eid is not None:
            factor = self.decay(step, self.last.item(eid))
            r, s = self.r.item(eid) * factor, self.s.item(eid) * factor
        den = r + s + self.a + self.b
        return (r + self.a) / den if den > 0 else 0.0

    def trust_many(self, u: int, vs: list[int], step: int) -> np.ndarray:
        """Trust between u and each of ``vs`` now: the same numbers as :meth:`trust`, at once."""
        if len(vs) <= 16:                                # a few: numpy's overhead per call would dominate
            return np.array([self.trust(u, v, step) for v in vs], dtype=float)
        mine = self.eid_of[u]
        try:                                             # usually all tied (candidates among u's ties):
            e = np.fromiter(map(mine.__getitem__, vs), np.int64, len(vs))   # their edge ids, in C
        except KeyError:
            e = None
        if e is not None:
            factor = self.decay(step, self.last[e])
            return self.expected(self.r[e] * factor, self.s[e] * factor)
        tied = np.array([v in mine for v in vs], dtype=bool)
        e = np.array([mine[v] for v in vs if v in mine], dtype=np.int64)
        r, s = np.zeros(len(vs)), np.zeros(len(vs))
        factor = self.decay(step, self.last[e])
        r[tied], s[tied] = self.r[e] * factor, self.s[e] * factor
        return self.expected(r, s)

    def record(self, u: int, v: int, step: int, positive: float = 0.0, negative: float = 0.0,
               kind: str = "project", joint_project: bool = False) -> int:
        """Add evidence from an interaction between u and v (creating the tie if needed)."""
        eid = self.tie(u, v, kind, step)
        r, s = self._decayed(eid, step)
        self.r[eid], self.s[eid] = r + positive, s + negative
        self.last[eid] = step
        self.latest = max(self.latest, step)
        self.changes += 1
        self.projects[eid] += int(joint_project)
        return eid

    def edge_table(self, step: int) -> EdgeTable:
        """All live ties as arrays (see :class:`EdgeTable`), cached while nothing changes in the month."""
        key = (step, self.changes)
        if self._table is None or self._table.key != key:
            self._table = EdgeTable(self, np.flatnonzero(self.alive[: self._n]), step, key)
        return self._table

    def actor_trust(self, step: int) -> ActorTrust:
        """Trust on the live ties between actors this month, summarised for the metrics (cached while
        nothing changes). Ties that still hold exactly the evidence of the first ties made (``standing``:
        the region's initial ties, most of all ties) share one trust value, computed once; the others are
        computed tie by tie; both are summed by sector pair. (Which ties' evidence changed is read from the
        evidence arrays themselves, so it holds whatever wrote ``r``, ``s`` or ``last``; the live ties per
        sector pair are counted as ties come and go, by :meth:`add_ties` and :meth:`prune`.)"""
        key = (step, self.changes)
        if self._actor_trust is None or self._actor_trust[0] != key:
            n = self._n
            counts = self.ties_by_pair[:NOT_TALLIED].copy()        # live ties between actors, by sector pair
            standing = float("nan")
            if self.standing is None:
                own = np.arange(n)
            else:                                              # the few ties whose evidence changed
                evidence, made = self.standing
                changed = self.r[:n] != evidence
                changed |= self.s[:n] != 0.0
                changed |= self.last[:n] != made
                own = np.flatnonzero(changed)
                factor = self.decay(step, made)
                standing = float(self.expected(evidence * factor, 0.0 * factor))   # as tie by tie (s = 0)
            own = own[self.tally[own] < NOT_TALLIED]
            factor = self.decay(step, self.last[own])
            trust = self.expected(self.r[own] * factor, self.s[own] * factor)
            pairs = self.tally[own]
            sums = np.bincount(pairs, weights=trust, minlength=NOT_TALLIED + 1)[:NOT_TALLIED]
            same = counts - np.bincount(pairs, minlength=NOT_TALLIED + 1)[:NOT_TALLIED]   # standing evidence
            if same.any():
                sums = sums + same * standing
            self._actor_trust = (key, ActorTrust(int(counts.sum()), counts, sums, trust, standing, int(same.sum())))
        return self._actor_trust[1]

    def average_clustering(self, n_nodes: int) -> float:
        """Average local clustering coefficient of the actors' ties (as ``networkx.average_clustering``
        over ``n_nodes`` nodes, those with fewer than two ties counting 0); nodes' local coefficients are
        recomputed only where ties changed."""
        if self._dirty:
            local, tri, degree = self._local, self.triangles, self.degree
            for i in self._dirty:
                possible = degree[i] * (degree[i] - 1) / 2
                local[i] = tri[i] / possible if possible > 0 else 0.0
            self._dirty.clear()
        return float(self._local.sum() / n_nodes) if n_nodes else 0.0

    def prune(self, step: int, min_evidence: float, unused_months: int = 12,
              keep: set[tuple[int, int]] = frozenset()) -> int:
        """Drop ties unused for ``unused_months`` whose decayed evidence r + s is below ``min_evidence``,
        except membership ties (to coordinating bodies) and the pairs in ``keep`` (given as (smaller id,
        larger id); e.g. partners of running projects, whose tie has no evidence until the project
        ends). Returns how many ties were dropped."""
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
            self.ties_by_pair[self.tally[eid]] -= 1
            self.ties_by_pair[NOT_TALLIED] += 1
            self.tally[eid] = NOT_TALLIED
            self._link([(*pair, eid)], -1)
            self.changes += 1
            self._topology += 1
            dropped += 1
        return dropped


NOT_TALLIED = 9                      # tally code of ties that are dead or involve a coordinating body


@dataclass
class ActorTrust:
    """Trust on the live ties between actors (municipalities, companies, NGOs) in one month."""

    ties: int
    count_by_pair: np.ndarray        # ties per sector pair code 0..8 (:func:`pair_code`)
    sum_by_pair: np.ndarray          # their trust, summed per sector pair
    trust: np.ndarray                # the trust of each tie whose evidence changed, in no particular order
    standing: float                  # the trust of every other tie (they all have the same evidence)
    n_standing: int                  # how many those are


def pair_code(su, sv):
    """The unordered sector pair as one number, 3 * min + max (0 = public-public, ..., 8 = civil-civil
    for the three actor sectors)."""
    return np.minimum(su, sv) * 3 + np.maximum(su, sv)


class EdgeTable:
    """The live ties of one month as arrays, one entry per tie: ``eid``, ``u``, ``v``, decayed evidence
    ``r`` and ``s``, ``trust``, ``kind`` (index into TIE_KINDS), ``projects`` (joint projects), sectors
    ``su`` and ``sv`` (index into SECTORS) and ``pair`` (:func:`pair_code`). Each column is computed when
    first read (the monthly metrics need only a few); read them in the month you asked for the table,
    and treat them as read-only. ``len(table)`` is the number of ties."""

    STORED = ("u", "v", "kind", "projects", "su", "sv", "pair", "last")

    def __init__(self, net: CollabNetwork, idx: np.ndarray, step: int, key: tuple):
        self._net = weakref.ref(net)        # the network caches its table: no reference cycle
        self.key, self.step = key, step
        self.columns: dict[str, np.ndarray] = {"eid": idx}

    def __len__(self) -> int:
        return len(self.columns["eid"])

    def __getitem__(self, name: str) -> np.ndarray:
        col = self.columns.get(name)
        if col is None:
            col = self.columns[name] = self._compute(name)
        return col

    def _compute(self, name: str) -> np.ndarray:
        net, idx = self._net(), self.columns["eid"]
        if net is None or (self.step, net.changes) != self.key:
            raise RuntimeError("the network has changed since this edge table was made; "
                               "ask network.edge_table(step) again")
        if name in self.STORED:
            return getattr(net, name)[idx]
        if name in ("r", "s"):
            factor = self["factor"]
            self.columns["r"], self.columns["s"] = net.r[idx] * factor, net.s[idx] * factor
            return self.columns[name]
        if name == "factor":
            return net.decay(self.step, self["last"])
        if name == "trust":
            return net.expected(self["r"], self["s"])
        raise KeyError(f"no column {name!r}; columns: eid, r, s, trust, {', '.join(self.STORED)}")


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
