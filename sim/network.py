"""The collaboration graph: who is tied to whom, and what each side knows of the other.

Topology and evidence are kept apart. A *pair slot* (an index into the arrays below) is made the
first time two nodes meet and is kept for good; the pair's tie is *alive* while they are in contact
and disappears after a long silence (:meth:`CollabNetwork.prune`), but its evidence stays in the slot
and is there again when the two meet anew. So a tie can exist with no evidence (two strangers just
introduced) and evidence can outlive a tie.

Evidence is directional: slot ``e`` holds what ``u[e]`` has seen of ``v[e]`` at index ``2e`` and what
``v[e]`` has seen of ``u[e]`` at ``2e + 1`` (``r`` positive, ``s`` negative experiences, ``last`` the
month they were last written). Each fades with its own monthly forgetting factor, applied lazily as
``r * forgetting_positive ** (now - last)``; by default negative evidence is not forgotten, so distrust
heals only through new positive evidence. Trust of i in j is the beta-reputation expectation
(Josang & Ismail 2002), ``(r + a) / (r + s + a + b)``; :meth:`CollabNetwork.opinion` adds what shared
partners know of j, discounted by i's evidence about them.

``eid_of[u][v]`` is the slot of a live tie, ``neighbours[u]`` the live neighbours by sector, and ``G`` the
live graph as a ``networkx.Graph`` (for analysis).

>>> from sim.config import TrustConfig
>>> net = CollabNetwork(TrustConfig())
>>> for node in (1, 2): net.add_node(node, "public")
>>> round(net.trust(1, 2, step=0), 3)          # strangers: the prior a / (a + b)
0.5
>>> _ = net.record(1, 2, step=0, positive=1.0) # 1 saw 2 deliver: (1 + 1) / (1 + 0 + 2)
>>> round(net.trust(1, 2, step=0), 3), round(net.trust(2, 1, step=0), 3)   # 2 has seen nothing of 1
(0.667, 0.5)
"""

from __future__ import annotations

import math
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
STRUCTURAL = frozenset(TIE_KINDS.index(k) for k in ("geographic", "local", "membership"))   # never pruned
EARTH_RADIUS_KM = 6371.0
NOT_TALLIED = 9                      # tally code of ties that are dead or involve a coordinating body
W = 2.0                              # non-informative prior weight of Josang's opinion mapping


class CollabNetwork:
    """Graph topology plus per-pair, per-direction evidence arrays. Nodes are agent ids (small ints)."""

    def __init__(self, trust: TrustConfig):
        self.nodes: dict[int, dict] = {}                         # node -> its attributes (sector, kind)
        self._graph: tuple | None = None                         # (key, networkx.Graph), see G
        self._topology = 0                                       # bumped whenever a tie comes or goes
        self.a, self.b = trust.prior_positive, trust.prior_negative
        self.forget_r, self.forget_s = trust.forgetting_positive, trust.forgetting_negative
        self.sector = np.zeros(0, dtype=np.int8)              # node id -> index into SECTORS (-1: none)
        self._n = 0                                              # pair slots used
        self.changes = 0                                         # bumped whenever any tie or evidence changes
        self.latest = 0                                          # the latest month in which evidence was written
        self._powers_r, self._powers_s = [1.0], [1.0]            # forgetting ** months, months = 0, 1, ...
        self._arrays_r, self._arrays_s = np.ones(1), np.ones(1)
        self.neighbours: dict[int, tuple[set[int], ...]] = {}   # node -> live neighbours by sector index
        self.eid_of: dict[int, dict[int, int]] = {}             # node -> {live neighbour: slot}
        self.slot_of: dict[tuple[int, int], int] = {}           # (smaller, larger) -> slot, live or not
        self.partners: dict[int, set[int]] = {}                 # node -> nodes it has started a joint project
        #                                                         with (projects > 0), tie live or not; kept by
        #                                                         joint_project, so read partner history here
        self._cache: dict[str, tuple] = {}                       # per-month results, keyed on (step, changes)
        self._ver: list[int] = []                                # per node: bumped when its ties or evidence change
        # triangles and degree of every node in the graph of actors' live ties (bodies' ties left out),
        # kept up to date as ties come and go, so the clustering coefficient costs O(nodes)
        self.triangles: list[int] = []
        self.degree: list[int] = []
        self.actor_neighbours: dict[int, set[int]] = {}
        self._local = np.zeros(0)                                # local clustering coefficient by node,
        self._dirty: set[int] = set()                            # ... out of date for these nodes
        self._sector: list[int] = []                             # self.sector as a list, read per tie
        self._u: list[int] = []                                  # self.u as a list, read per tie
        cap = 64
        self.u = np.zeros(cap, np.int64)
        self.v = np.zeros(cap, np.int64)
        self.su = np.zeros(cap, np.int8)                         # sectors of u and v
        self.sv = np.zeros(cap, np.int8)
        self.pair = np.zeros(cap, np.int8)                       # sector pair: 3 * min(su, sv) + max(su, sv)
        self.tally = np.zeros(cap, np.intp)                      # pair code for live ties between actors, else 9
        self.ties_by_pair = np.zeros(NOT_TALLIED + 1, np.int64)  # slots by tally code
        self.kind = np.zeros(cap, np.int8)
        self.projects = np.zeros(cap, np.int64)                  # joint projects the pair has started
        self.created = np.zeros(cap, np.int64)                   # month the tie was (last) made
        self.contact = np.zeros(cap, np.int64)                   # month of the pair's last contact
        self.alive = np.zeros(cap, bool)
        self.r = np.zeros(2 * cap)                               # directed evidence, index 2 * slot + side
        self.s = np.zeros(2 * cap)
        self.last = np.zeros(2 * cap, np.int64)
        self._r: list[float] = []                                # the same as lists, read one by one
        self._s: list[float] = []
        self._last: list[int] = []

    # -- nodes and ties ---------------------------------------------------------------------

    def add_node(self, node: int, sector: str, **attrs) -> None:
        if node in self.neighbours:
            raise ValueError(f"node {node} is already in the network")
        if node >= len(self.degree):                  # grow by doubling
            more = max(len(self.degree), node + 1 - len(self.degree), 16)
            self.sector = np.concatenate([self.sector, np.full(more, -1, dtype=np.int8)])
            self.triangles.extend([0] * more)
            self.degree.extend([0] * more)
            self._ver.extend([0] * more)
            self._sector.extend([-1] * more)
            self._local = np.concatenate([self._local, np.zeros(more)])
        self.sector[node] = self._sector[node] = SECTORS.index(sector)
        self.neighbours[node] = (set(), set(), set(), set())    # one per entry of SECTORS
        self.eid_of[node] = {}
        self.partners[node] = set()
        self.actor_neighbours[node] = set()
        self.nodes[node] = {"sector": sector, **attrs}

    def add_ties(self, us, vs, kind: str, step: int, r_uv=0.0, s_uv=0.0, r_vu=0.0, s_vu=0.0) -> None:
        """Add many new ties at once (a pair already tied, or repeated, is skipped), with the evidence
        each side has of the other (numbers or arrays as long as ``us``). Both ends must be nodes."""
        us, vs = np.asarray(us).tolist(), np.asarray(vs).tolist()
        missing = [node for node in set(us) | set(vs) if node not in self.neighbours]
        if missing:
            raise ValueError(f"node(s) {sorted(missing)[:3]} not in the network; add them (add_node) before tying them")
        evidence = [np.broadcast_to(np.asarray(x, dtype=float), (len(us),)) for x in (r_uv, s_uv, r_vu, s_vu)]
        slot_of, seen, keep = self.slot_of, set(), []
        for i, (u, v) in enumerate(zip(us, vs)):
            pair = (u, v) if u < v else (v, u)
            if u != v and pair not in slot_of and pair not in seen:
                seen.add(pair)
                keep.append(i)
        first, k = self._n, len(keep)
        if k == 0:
            return
        self._reserve(first + k)
        at, idx = slice(first, first + k), np.array(keep, dtype=np.int64)
        U, V = np.array(us, dtype=np.int64)[idx], np.array(vs, dtype=np.int64)[idx]
        self.u[at], self.v[at], self.su[at], self.sv[at] = U, V, self.sector[U], self.sector[V]
        self.pair[at] = pair_code(self.su[at], self.sv[at])
        self.kind[at], self.projects[at], self.created[at], self.contact[at] = TIE_KINDS.index(kind), 0, step, step
        fwd, bwd = slice(2 * first, 2 * (first + k), 2), slice(2 * first + 1, 2 * (first + k), 2)
        self.r[fwd], self.s[fwd] = evidence[0][idx], evidence[1][idx]
        self.r[bwd], self.s[bwd] = evidence[2][idx], evidence[3][idx]
        self.last[2 * first: 2 * (first + k)] = step
        self.latest = max(self.latest, step)
        self._n += k
        self._u.extend(U.tolist())
        self._r.extend(self.r[2 * first: 2 * self._n].tolist())
        self._s.extend(self.s[2 * first: 2 * self._n].tolist())
        self._last.extend([step] * (2 * k))
        for slot, (u, v) in enumerate(zip(U.tolist(), V.tolist()), start=first):
            slot_of[(u, v) if u < v else (v, u)] = slot
        self._revive(range(first, first + k))
        self.changes += 1

    def _add_tie(self, u: int, v: int, kind: str, step: int) -> int:
        """:meth:`add_ties` for one new pair of different nodes, without evidence, in plain Python; its slot."""
        eid = self._n
        self._reserve(eid + 1)
        su, sv = self._sector[u], self._sector[v]
        self.u[eid], self.v[eid], self.su[eid], self.sv[eid] = u, v, su, sv
        self.pair[eid] = 3 * min(su, sv) + max(su, sv)
        self.kind[eid], self.projects[eid], self.created[eid], self.contact[eid] = TIE_KINDS.index(kind), 0, step, step
        self.r[2 * eid: 2 * eid + 2] = 0.0
        self.s[2 * eid: 2 * eid + 2] = 0.0
        self.last[2 * eid: 2 * eid + 2] = step
        self.latest = max(self.latest, step)
        self._n += 1
        self._u.append(u)
        self._r.extend((0.0, 0.0))
        self._s.extend((0.0, 0.0))
        self._last.extend((step, step))
        self.slot_of[(u, v) if u < v else (v, u)] = eid
        self._revive([eid])
        self.changes += 1
        return eid

    def _revive(self, slots) -> None:
        """Make the ties of these slots alive: neighbour sets, triangles, tallies."""
        slots = list(slots)
        if len(slots) == 1:                                  # one tie (a project, a meeting): plain Python
            eid = slots[0]
            su, sv = self.su.item(eid), self.sv.item(eid)
            code = self.pair.item(eid) if su != COORDINATION and sv != COORDINATION else NOT_TALLIED
            self.tally[eid] = code
            self.ties_by_pair[code] += 1
            self.alive[eid] = True
            self._link([(self._u[eid], self.v.item(eid), eid)], +1)
            self._topology += 1
            return
        arr = np.array(slots, dtype=np.int64)
        actors = (self.su[arr] != COORDINATION) & (self.sv[arr] != COORDINATION)
        self.tally[arr] = np.where(actors, self.pair[arr], NOT_TALLIED)
        self.ties_by_pair += np.bincount(self.tally[arr], minlength=NOT_TALLIED + 1)
        self.alive[arr] = True
        self._link(zip(self.u[arr].tolist(), self.v[arr].tolist(), slots), +1)
        self._topology += len(slots)

    @property
    def n_ties(self) -> int:
        """Live ties, bodies' included."""
        return int(self.alive[: self._n].sum())

    @property
    def G(self) -> nx.Graph:
        """The live collaboration graph as a ``networkx.Graph``: nodes (agent ids, in the order they were
        added) with ``sector`` and ``kind``, live ties with their ``eid`` (slot). Built when asked for and
        shared until a tie comes or goes: a snapshot to read, not to edit (take ``G.copy()`` to change it)."""
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
        """The slot of the live tie u-v, making it (or reviving the pair's old slot, evidence and all) if
        there is none; either way the pair is in contact this month."""
        eid = self.eid_of[u].get(v) if u in self.eid_of else None
        if eid is None:
            if u == v:
                raise ValueError(f"a tie needs two different nodes, not {u} and itself")
            if u not in self.neighbours or v not in self.neighbours:
                raise ValueError(f"node(s) {[x for x in (u, v) if x not in self.neighbours]} not in the network; "
                                 "add them (add_node) before tying them")
            eid = self.slot_of.get((u, v) if u < v else (v, u))
            if eid is None:
                return self._add_tie(u, v, kind, step)
            self.kind[eid], self.created[eid] = TIE_KINDS.index(kind), step
            self._revive([eid])
        self.contact[eid] = step
        self.changes += 1
        return eid

    def joint_project(self, eid: int) -> None:
        """The two ends of slot ``eid`` start a joint project (count it here, not in ``projects`` directly,
        so that ``partners`` stays in step)."""
        self.projects[eid] += 1
        u, v = self._u[eid], self.v.item(eid)
        self.partners[u].add(v)
        self.partners[v].add(u)

    def touch(self, u: int, v: int, step: int) -> None:
        """Contact between u and v this month (a meeting, a joint project), if they are tied."""
        eid = self.eid_of[u].get(v)
        if eid is not None:
            self.contact[eid] = step

    def _reserve(self, size: int) -> None:
        """Room for ``size`` pair slots (capacity doubles)."""
        if size <= len(self.u):
            return
        cap = max(2 * len(self.u), size)
        for name in ("u", "v", "su", "sv", "pair", "tally", "kind", "projects", "created", "contact", "alive"):
            old = getattr(self, name)
            new = np.zeros(cap, old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        for name in ("r", "s", "last"):
            old = getattr(self, name)
            new = np.zeros(2 * cap, old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def _link(self, ties, sign: int) -> None:
        """Update live slots, neighbour sets, triangles and degrees for ``ties`` ((u, v, slot) each)
        coming (+1) or going (-1). Ties of coordinating bodies count as neighbours, not in triangles
        and degrees."""
        sector, by_sector, actors, eid_of = self._sector, self.neighbours, self.actor_neighbours, self.eid_of
        triangles, degree, dirty, ver = self.triangles, self.degree, self._dirty, self._ver
        for u, v, eid in ties:
            su, sv = sector[u], sector[v]
            ver[u] += 1
            ver[v] += 1
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
                common = au & av
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

    def _tables(self, step: int) -> tuple[list[float], list[float]]:
        if step >= len(self._powers_r):
            n = max(2 * len(self._powers_r), step + 1)
            self._powers_r = [self.forget_r ** k for k in range(n)]
            self._powers_s = [self.forget_s ** k for k in range(n)]
            self._arrays_r, self._arrays_s = np.array(self._powers_r), np.array(self._powers_s)
        return self._powers_r, self._powers_s

    def decay(self, step: int, last):
        """(factor for r, factor for s): how much of evidence written in month(s) ``last`` (an int or an
        int array) is left in month ``step``. ``step`` may not be before the latest month with evidence."""
        if step < self.latest:
            raise ValueError(f"evidence asked for month {step}, before month {self.latest} in which some was "
                             "recorded; pass the current month")
        pr, ps = self._tables(step)
        if isinstance(last, int):
            return pr[step - last], ps[step - last]
        age = step - np.asarray(last)
        return self._arrays_r[age], self._arrays_s[age]

    def index(self, observer: int, target: int) -> int:
        """Index of observer's evidence about target in ``r``, ``s``, ``last`` (-1 if they never met)."""
        eid = self.eid_of[observer].get(target) if observer in self.eid_of else None
        if eid is None:
            eid = self.slot_of.get((observer, target) if observer < target else (target, observer))
            if eid is None:
                return -1
        return 2 * eid + (0 if self.u.item(eid) == observer else 1)

    def evidence(self, observer: int, target: int, step: int) -> tuple[float, float]:
        """What observer has seen of target, as decayed (positive, negative) experiences."""
        if step < self.latest:
            self.decay(step, 0)                              # raises: evidence cannot be read backwards
        if step >= len(self._powers_r):
            self._tables(step)
        eid = self.eid_of[observer].get(target) if observer in self.eid_of else None
        if eid is None:
            eid = self.slot_of.get((observer, target) if observer < target else (target, observer))
            if eid is None:
                return 0.0, 0.0
        d = 2 * eid + (self._u[eid] != observer)
        age = step - self._last[d]
        return self._r[d] * self._powers_r[age], self._s[d] * self._powers_s[age]

    def expected(self, r, s):
        """Beta-reputation expectation (r + a) / (r + s + a + b); 0 where there is no evidence and no prior."""
        den = r + s + self.a + self.b
        if self.a + self.b > 0:
            return (r + self.a) / den
        return np.where(den > 0, (r + self.a) / np.where(den > 0, den, 1.0), 0.0)

    def trust(self, observer: int, target: int, step: int) -> float:
        """Observer's trust in target from its own evidence (the prior for strangers)."""
        r, s = self.evidence(observer, target, step)
        den = r + s + self.a + self.b
        return (r + self.a) / den if den > 0 else 0.0

    def _readable(self, step: int) -> None:
        """Make month ``step`` readable: refuse a month before the latest evidence (decay raises) and extend
        the forgetting tables to it. (The per-tie reads, evidence and _opinion, write these two tests out:
        they run far more often than the per-node reads that call this.)"""
        if step < self.latest:
            self.decay(step, 0)
        if step >= len(self._powers_r):
            self._tables(step)

    def contact_trust(self, observer: int, step: int, among=None) -> dict[int, float]:
        """Observer's trust in each of its live contacts (its own evidence), as one dict; with ``among``
        (live contacts of it), in those only."""
        self._readable(step)
        a, b = self.a, self.b
        us, rs, ss, lasts, pr, ps = self._u, self._r, self._s, self._last, self._powers_r, self._powers_s
        slots = self.eid_of[observer]
        out = {}
        for k in (slots if among is None else among):
            eid = slots[k]
            d = 2 * eid + (us[eid] != observer)
            age = step - lasts[d]
            r, s = rs[d] * pr[age], ss[d] * ps[age]
            den = r + s + a + b
            out[k] = (r + a) / den if den > 0 else 0.0
        return out

    def most_trusted(self, observer: int, step: int, among, k: int) -> list[int]:
        """The ``k`` of ``among`` (live contacts of observer) it trusts most by its own evidence, most trusted
        first and equal trust by id: what sorting :meth:`contact_trust`'s numbers gives, in one pass (NGOs'
        requests and partner search ask this some 10,000 times in a default run)."""
        self._readable(step)
        a, b = self.a, self.b
        us, rs, ss, lasts, pr, ps = self._u, self._r, self._s, self._last, self._powers_r, self._powers_s
        slots = self.eid_of[observer]
        ranked = []
        for c in among:                                      # contact_trust written out, as (-trust, id)
            eid = slots[c]
            d = 2 * eid + (us[eid] != observer)
            age = step - lasts[d]
            r, s = rs[d] * pr[age], ss[d] * ps[age]
            den = r + s + a + b
            ranked.append((-((r + a) / den) if den > 0 else -0.0, c))
        ranked.sort()
        return [c for _, c in ranked[:k]]

    def contacts_trust(self, node: int, step: int) -> list[float]:
        """Each live contact's trust in ``node`` (its own evidence), in the order of ``eid_of[node]``: the
        numbers ``[trust(o, node, step) for o in eid_of[node]]`` gives."""
        self._readable(step)
        a, b = self.a, self.b
        us, rs, ss, lasts, pr, ps = self._u, self._r, self._s, self._last, self._powers_r, self._powers_s
        out = []
        for o, eid in self.eid_of[node].items():
            d = 2 * eid + (us[eid] != o)
            age = step - lasts[d]
            r, s = rs[d] * pr[age], ss[d] * ps[age]
            den = r + s + a + b
            out.append((r + a) / den if den > 0 else 0.0)
        return out

    def trust_many(self, observer: int, targets: list[int], step: int) -> np.ndarray:
        return np.array([self.trust(observer, t, step) for t in targets], dtype=float)

    def opinion(self, observer: int, target: int, step: int, third_party: bool = True) -> tuple[float, float]:
        """Observer's expected trust in target and its standard deviation (of the Beta posterior), from its
        own evidence plus, with ``third_party``, what every shared live neighbour k has seen of target,
        discounted by observer's evidence about k (Josang & Ismail 2002: with W = 2,
        r' = 2 r_ok r_kt / ((s_ok + 2)(r_kt + s_kt + 2) + 2 r_ok), s' likewise with s_kt; the consensus
        adds evidence). A shared partner observer has no positive evidence about counts for nothing.
        Formed afresh at each call: a month's cache of opinions (kept until either end's ties or evidence
        changed) was hit by one call in fifteen in a default run and cost more than it saved."""
        return self._opinion(observer, target, step, third_party)

    def _ev(self, eid: int, observer: int, step: int) -> tuple[float, float]:
        """Decayed evidence of ``observer`` (an end of live slot ``eid``) about the other end."""
        d = 2 * eid + (self._u[eid] != observer)
        age = step - self._last[d]
        return self._r[d] * self._powers_r[age], self._s[d] * self._powers_s[age]

    def _opinion(self, observer: int, target: int, step: int, third_party: bool) -> tuple[float, float]:
        if step < self.latest:
            self.decay(step, 0)                              # raises: evidence cannot be read backwards
        if step >= len(self._powers_r):
            self._tables(step)
        eid_of = self.eid_of
        own = eid_of.get(observer)                           # :meth:`evidence`, written out
        eid = own.get(target) if own is not None else None
        if eid is None:
            eid = self.slot_of.get((observer, target) if observer < target else (target, observer))
        if eid is None:
            r = s = 0.0
        else:
            d = 2 * eid + (self._u[eid] != observer)
            age = step - self._last[d]
            r, s = self._r[d] * self._powers_r[age], self._s[d] * self._powers_s[age]
        if third_party and target in eid_of:
            mine, theirs = eid_of[observer], eid_of[target]
            small, large = (theirs, mine) if len(mine) > len(theirs) else (mine, theirs)
            # the shared neighbours in the order of ``small``, the order of the sum as always (observer and
            # target are not among them: no node is tied to itself); one pass in Python beats a set intersection
            common = [k for k in small if k in large]
            us, rs, ss, lasts, pr, ps = self._u, self._r, self._s, self._last, self._powers_r, self._powers_s
            for k in common:                                  # _ev written out: the same numbers, in the same order
                eid = mine[k]
                d = 2 * eid + (us[eid] != observer)
                age = step - lasts[d]
                r_ok = rs[d] * pr[age]
                if r_ok <= 0:
                    continue
                s_ok = ss[d] * ps[age]
                eid = theirs[k]
                d = 2 * eid + (us[eid] != k)
                age = step - lasts[d]
                r_kt, s_kt = rs[d] * pr[age], ss[d] * ps[age]
                if r_kt + s_kt <= 0:
                    continue
                den = (s_ok + W) * (r_kt + s_kt + W) + W * r_ok
                r += W * r_ok * r_kt / den
                s += W * r_ok * s_kt / den
        n = r + s + self.a + self.b
        if n <= 0:
            return 0.0, 0.0
        mean = (r + self.a) / n
        return mean, math.sqrt(mean * (1.0 - mean) / (n + 1.0))

    def record(self, observer: int, target: int, step: int, positive: float = 0.0, negative: float = 0.0,
               kind: str = "project") -> int:
        """Observer adds evidence about target (making or reviving their tie; they are in contact)."""
        eid = self.tie(observer, target, kind, step)
        d = 2 * eid + (self._u[eid] != observer)
        fr, fs = self.decay(step, self._last[d])
        self.r[d] = self._r[d] = self._r[d] * fr + positive
        self.s[d] = self._s[d] = self._s[d] * fs + negative
        self.last[d] = self._last[d] = step
        self.latest = max(self.latest, step)
        self.changes += 1
        self._ver[observer] += 1
        self._ver[target] += 1
        return eid

    def meet(self, u: int, v: int, step: int, evidence: float, kind: str = "event") -> None:
        """u and v meet face to face: a tie where there was none, and positive evidence each way."""
        self.record(u, v, step, positive=evidence, kind=kind)
        self.record(v, u, step, positive=evidence, kind=kind)

    # -- reading all ties at once ----------------------------------------------------------

    def edge_table(self, step: int) -> EdgeTable:
        """All live ties as arrays (see :class:`EdgeTable`), cached while nothing changes in the month."""
        key = (step, self.changes)
        cached = self._cache.get("table")
        if cached is None or cached[0] != key:
            cached = self._cache["table"] = (key, EdgeTable(self, np.flatnonzero(self.alive[: self._n]), step, key))
        return cached[1]

    def directed_trust(self, step: int) -> DirectedTrust:
        """Trust in both directions on every live tie between actors this month (cached)."""
        key = (step, self.changes)
        cached = self._cache.get("directed")
        if cached is None or cached[0] != key:
            slots = np.flatnonzero(self.tally[: self._n] < NOT_TALLIED)
            d = np.empty(2 * len(slots), np.int64)
            d[0::2], d[1::2] = 2 * slots, 2 * slots + 1
            fr, fs = self.decay(step, self.last[d])
            trust = self.expected(self.r[d] * fr, self.s[d] * fs)
            pair = np.repeat(self.tally[slots], 2)
            contact = np.repeat(self.contact[slots], 2)
            cached = self._cache["directed"] = (key, DirectedTrust(trust, pair, contact, slots))
        return cached[1]

    def average_clustering(self, n_nodes: int) -> float:
        """Average local clustering coefficient of the actors' live ties (as ``networkx.average_clustering``
        over ``n_nodes`` nodes, those with fewer than two ties counting 0)."""
        if self._dirty:
            local, tri, degree = self._local, self.triangles, self.degree
            for i in self._dirty:
                possible = degree[i] * (degree[i] - 1) / 2
                local[i] = tri[i] / possible if possible > 0 else 0.0
            self._dirty.clear()
        return float(self._local.sum() / n_nodes) if n_nodes else 0.0

    def prune(self, step: int, lifetime: int, keep: set[tuple[int, int]] = frozenset()) -> int:
        """Drop live ties made by projects, introductions or events whose last contact is ``lifetime`` or
        more months ago, except the pairs in ``keep`` ((smaller id, larger id), e.g. partners of running
        projects). Ties of neighbourhood, locality and membership stay. Evidence stays in the slot.
        Returns how many ties were dropped."""
        n = self._n
        idle = self.alive[:n] & (step - self.contact[:n] >= lifetime)
        idle &= ~np.isin(self.kind[:n], list(STRUCTURAL))
        dropped = 0
        for eid in np.flatnonzero(idle).tolist():
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


@dataclass
class DirectedTrust:
    """Trust on the live ties between actors in one month, both directions of each tie in turn."""

    trust: np.ndarray                # observer's trust in the other end, 2 per tie
    pair: np.ndarray                 # sector pair code (:func:`pair_code`) of the tie
    contact: np.ndarray              # month of the pair's last contact
    slots: np.ndarray                # the ties' slots


def pair_code(su, sv):
    """The unordered sector pair as one number, 3 * min + max (0 = public-public, ..., 8 = civil-civil
    for the three actor sectors)."""
    return np.minimum(su, sv) * 3 + np.maximum(su, sv)


class EdgeTable:
    """The live ties of one month as arrays, one entry per tie: ``eid`` (slot), ``u``, ``v``, the decayed
    evidence of each side (``r_uv``, ``s_uv``: u's about v; ``r_vu``, ``s_vu``), ``trust_uv``, ``trust_vu``
    and their mean ``trust``, ``kind`` (index into TIE_KINDS), ``projects``, ``contact``, sectors ``su``,
    ``sv`` and ``pair``. Each column is computed when first read; read them in the month you asked for the
    table. ``len(table)`` is the number of ties."""

    STORED = ("u", "v", "kind", "projects", "su", "sv", "pair", "contact", "created")

    def __init__(self, net: CollabNetwork, idx: np.ndarray, step: int, key: tuple):
        self._net = weakref.ref(net)
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
        if name in ("r_uv", "s_uv", "r_vu", "s_vu"):
            side = 0 if name.endswith("uv") else 1
            d = 2 * idx + side
            fr, fs = net.decay(self.step, net.last[d])
            return (net.r[d] * fr) if name[0] == "r" else (net.s[d] * fs)
        if name == "trust_uv":
            return net.expected(self["r_uv"], self["s_uv"])
        if name == "trust_vu":
            return net.expected(self["r_vu"], self["s_vu"])
        if name == "trust":
            return (self["trust_uv"] + self["trust_vu"]) / 2
        raise KeyError(f"no column {name!r}; columns: eid, r_uv, s_uv, r_vu, s_vu, trust_uv, trust_vu, trust, "
                       f"{', '.join(self.STORED)}")


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


def prior_experience(rng: np.random.Generator, mean: float, reliability: np.ndarray):
    """Earlier experiences with a partner of the given reliability: n ~ Poisson(mean), of which
    Binomial(n, reliability) went well. Returns (positive, negative) arrays."""
    n = rng.poisson(mean, len(reliability))
    good = rng.binomial(n, reliability)
    return good.astype(float), (n - good).astype(float)


def build_initial_ties(net: CollabNetwork, region: pd.DataFrame, muni_ids: np.ndarray,
                       actor_ids: np.ndarray, actor_home: np.ndarray, reliability: dict[int, float],
                       cfg: NetworkConfig, rng: np.random.Generator) -> None:
    """Distance-decay ties between municipalities; companies and NGOs tied to home and locally; each side
    of each tie with its own earlier experience of the other (:func:`prior_experience`).

    Municipalities i, j within ``max_km`` are tied with probability ``tie_probability * exp(-distance /
    decay_km)``. Each company and NGO is tied to its home municipality and to ``local_ties`` others of its
    municipality, drawn at random. ``reliability`` maps agent ids to their latent reliability.
    """
    rel = np.zeros(max(reliability) + 1)
    rel[list(reliability)] = list(reliability.values())
    pairs, dist = nearby_pairs(region.lat.to_numpy(), region.lon.to_numpy(), cfg.max_km)
    keep = rng.random(len(pairs)) < cfg.tie_probability * np.exp(-dist / cfg.decay_km)
    us, vs = muni_ids[pairs[keep, 0]], muni_ids[pairs[keep, 1]]
    net.add_ties(us, vs, "geographic", 0, *prior_experience(rng, cfg.initial_evidence, rel[vs]),
                 *prior_experience(rng, cfg.initial_evidence, rel[us]))
    if len(actor_ids) == 0:
        return
    homes = muni_ids[actor_home]
    net.add_ties(actor_ids, homes, "local", 0, *prior_experience(rng, cfg.local_evidence, rel[homes]),
                 *prior_experience(rng, cfg.local_evidence, rel[actor_ids]))
    if cfg.local_ties == 0:
        return
    order = np.argsort(actor_home, kind="stable")
    bounds = np.searchsorted(actor_home[order], np.arange(len(muni_ids) + 1))
    us, vs = [], []
    for m in range(len(muni_ids)):
        members = actor_ids[order[bounds[m]: bounds[m + 1]]]
        if len(members) < 2:
            continue
        k = cfg.local_ties
        # each member draws k others of its municipality; an offset in 1..n-1 never picks itself,
        # and a pair drawn twice is tied once (so small places get fewer than k distinct ties)
        offsets = rng.integers(1, len(members), size=(len(members), k))
        us.append(np.repeat(members, k))
        vs.append(members[(np.arange(len(members))[:, None] + offsets) % len(members)].ravel())
    if us:
        us, vs = np.concatenate(us), np.concatenate(vs)
        net.add_ties(us, vs, "local", 0, *prior_experience(rng, cfg.local_evidence, rel[vs]),
                     *prior_experience(rng, cfg.local_evidence, rel[us]))


def tie_newcomers(net: CollabNetwork, muni_ids: np.ndarray, new_ids: np.ndarray, new_home: np.ndarray,
                  local_ids: np.ndarray, local_home: np.ndarray, reliability: dict[int, float],
                  cfg: NetworkConfig, rng: np.random.Generator) -> None:
    """Ties of a further agent kind (``actors.kinds``), drawn from its own stream after everyone else's, so
    the other agents' ties stay as they were: each new agent is tied to its home municipality and to up to
    ``local_ties`` actors drawn at random among the other companies, NGOs and agents of its municipality
    (``local_ids``, which include the new ones), each side with its own earlier experience of the other."""
    if len(new_ids) == 0:
        return
    rel = np.zeros(max(reliability) + 1)
    rel[list(reliability)] = list(reliability.values())
    homes = muni_ids[new_home]
    net.add_ties(new_ids, homes, "local", 0, *prior_experience(rng, cfg.local_evidence, rel[homes]),
                 *prior_experience(rng, cfg.local_evidence, rel[new_ids]))
    if cfg.local_ties == 0:
        return
    us, vs = [], []
    for i, h in zip(new_ids.tolist(), new_home.tolist()):
        others = local_ids[(local_home == h) & (local_ids != i)]
        if len(others) == 0:
            continue
        picked = np.unique(others[rng.integers(0, len(others), size=cfg.local_ties)])   # a pair drawn twice: one tie
        us.append(np.full(len(picked), i))
        vs.append(picked)
    if us:
        us, vs = np.concatenate(us), np.concatenate(vs)
        net.add_ties(us, vs, "local", 0, *prior_experience(rng, cfg.local_evidence, rel[vs]),
                     *prior_experience(rng, cfg.local_evidence, rel[us]))
