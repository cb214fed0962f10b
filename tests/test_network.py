"""The collaboration graph: spatial pairs, clustering, trust evidence, reproducible construction."""

import networkx as nx
import numpy as np
import pytest

from sim.config import Config, TrustConfig
from sim.model import CooperationModel
from sim.network import EARTH_RADIUS_KM, CollabNetwork, nearby_pairs


def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def test_nearby_pairs_equal_brute_force():
    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(47, 55, 300), rng.uniform(6, 15, 300)
    pairs, dist = nearby_pairs(lat, lon, 60.0)
    brute = {(i, j) for i in range(300) for j in range(i + 1, 300)
             if haversine(lat[i], lon[i], lat[j], lon[j]) <= 60.0}
    assert {tuple(p) for p in pairs.tolist()} == brute
    assert np.allclose(dist, haversine(lat[pairs[:, 0]], lon[pairs[:, 0]], lat[pairs[:, 1]], lon[pairs[:, 1]]))


def test_clustering_kept_up_to_date_equals_networkx():
    """Triangles are counted as ties come (and as the yearly pruning removes them); the average must
    equal networkx's on the actors' graph at every point, whatever a coordinating body is tied to."""
    rng = np.random.default_rng(3)
    net = CollabNetwork(TrustConfig(forgetting=0.5))
    for node in range(1, 41):
        net.add_node(node, ("public", "business", "civil")[node % 3])
    net.add_node(41, "coordination")
    G = nx.empty_graph(range(1, 41))
    seen = []
    for step in range(1, 40):
        for u, v in rng.integers(1, 42, size=(12, 2)).tolist():
            if u != v:
                net.record(u, v, step=step, positive=float(rng.random() < 0.7))
                if 41 not in (u, v):
                    G.add_edge(u, v)
        if step % 12 == 0:
            assert net.prune(step, min_evidence=0.05, unused_months=3) > 0 and net.G.number_of_edges() > 0
            G = nx.empty_graph(range(1, 41))
            G.add_edges_from((a, b) for a, b in net.G.edges() if 41 not in (a, b))
        seen.append(nx.average_clustering(G))
        assert net.average_clustering(40) == pytest.approx(seen[-1], abs=1e-12)
    assert max(seen) > 0.2


def test_trust_follows_beta_reputation_with_forgetting():
    net = CollabNetwork(TrustConfig(forgetting=0.5))
    for node in (1, 2):
        net.add_node(node, "public")
    net.record(1, 2, step=0, positive=4.0)
    assert net.trust(1, 2, 0) == pytest.approx(5 / 6)          # (4 + 1) / (4 + 0 + 2)
    assert net.trust(1, 2, 1) == pytest.approx(3 / 4)          # r = 2 after one month at 0.5
    net.record(1, 2, step=1, negative=2.0)
    assert net.trust(2, 1, 1) == pytest.approx(3 / 6)          # symmetric; (2 + 1) / (2 + 2 + 2)


def test_zero_prior_gives_zero_trust_to_strangers():
    net = CollabNetwork(TrustConfig(prior_positive=0.0))
    net.add_node(1, "public"), net.add_node(2, "business")
    assert net.trust(1, 2, 0) == 0.0


def test_unused_ties_weaken_and_are_pruned():
    net = CollabNetwork(TrustConfig(forgetting=0.9))
    for node in (1, 2, 3):
        net.add_node(node, "public")
    net.add_ties([1], [2], "geographic", 0, evidence=1.0)
    net.add_ties([2], [3], "geographic", 0, evidence=1.0)
    net.record(2, 3, step=40, positive=1.0)                     # 2-3 used recently, 1-2 not
    assert net.trust(1, 2, 40) < net.trust(2, 3, 40)
    assert net.G.has_edge(1, 2)                                  # the graph as it was before pruning ...
    assert net.prune(40, min_evidence=0.05) == 1
    assert not net.G.has_edge(1, 2) and net.G.has_edge(2, 3)     # ... is not served after it


def test_initial_graph_is_reproducible_and_seed_dependent():
    def edges(seed):
        return sorted(CooperationModel(Config(seed=seed)).network.G.edges())
    assert edges(4) == edges(4)
    assert edges(4) != edges(5)


def test_initial_ties_decay_with_distance():
    model = CooperationModel(Config())
    net, munis = model.network, model.municipalities
    near = far = tied_near = tied_far = 0
    for i, a in enumerate(munis):
        for b in munis[i + 1:]:
            d = haversine(a.lat, a.lon, b.lat, b.lon)
            tied = net.G.has_edge(a.unique_id, b.unique_id)
            if d < 10:
                near, tied_near = near + 1, tied_near + tied
            elif d > 25:
                far, tied_far = far + 1, tied_far + tied
    assert tied_near / near > tied_far / far


def test_companies_and_ngos_are_tied_to_their_home_municipality():
    model = CooperationModel(Config())
    for actor in model.companies + model.ngos:
        assert model.network.G.has_edge(actor.unique_id, model.municipalities[actor.home].unique_id)


def test_ties_of_running_projects_survive_pruning():
    net = CollabNetwork(TrustConfig())
    for node in (1, 2):
        net.add_node(node, "public")
    net.tie(1, 2, "project", step=0)                            # a partner joined: no evidence yet
    assert net.prune(24, min_evidence=0.05, keep={(1, 2)}) == 0 and net.G.has_edge(1, 2)
    assert net.prune(24, min_evidence=0.05) == 1


def test_trust_metrics_equal_the_edge_table_without_bodies_ties():
    """The monthly trust and network metrics come from a tally over every edge slot; computed the
    long way from the edge table (live ties, bodies' ties left out) they must be the same numbers."""
    from sim.cli import compose
    from sim.metrics import SECTOR_PAIRS, network, trust
    from sim.network import SECTORS

    model = CooperationModel(compose(["scenario=klimawerk", "seed=3"]))
    for _ in range(30):
        model.step()
    assert model.network.prune(model.steps, 1.6) > 100              # dead slots among the live ones
    e = model.network.edge_table(model.steps)
    body = SECTORS.index("coordination")
    keep = (e["su"] != body) & (e["sv"] != body)
    assert (~keep).sum() > 0                                      # the scenario's bodies do have ties
    t, su, sv = e["trust"][keep], e["su"][keep], e["sv"][keep]
    got = trust(model)
    assert got["trust_mean"] == pytest.approx(t.mean(), rel=1e-12)
    assert [got["trust_p10"], got["trust_p50"], got["trust_p90"]] == np.percentile(t, [10, 50, 90]).tolist()
    lo, hi = np.minimum(su, sv), np.maximum(su, sv)
    for a, b in SECTOR_PAIRS:
        mask = (lo == SECTORS.index(a)) & (hi == SECTORS.index(b))
        assert got[f"trust_{a}_{b}"] == pytest.approx(t[mask].mean(), rel=1e-12)
    net = network(model)
    assert net["ties"] == keep.sum()
    assert net["cross_sector_share"] == (su != sv).mean()


def test_misuse_of_the_network_is_refused_with_a_clear_error():
    net = CollabNetwork(TrustConfig())
    for node in (1, 2):
        net.add_node(node, "public")
    with pytest.raises(ValueError, match="two different nodes"):
        net.record(1, 1, step=0, positive=1.0)                   # a self-loop would corrupt triangles
    with pytest.raises(ValueError, match="not in the network"):
        net.add_ties([1], [7], "local", 0)
    with pytest.raises(ValueError, match="already in the network"):
        net.add_node(2, "business")                              # would forget node 2's ties and sector
    assert net.G.number_of_edges() == 0 and net._n == 0           # nothing half-written
    net.record(1, 2, step=5, positive=1.0)
    with pytest.raises(ValueError, match="before month 5"):
        net.trust(1, 2, step=4)                                  # evidence cannot be read backwards
    table = net.edge_table(5)
    net.record(1, 2, step=5, positive=1.0)
    with pytest.raises(RuntimeError, match="changed since"):
        table["trust"]                                           # a stale table does not mix months


def test_edge_ids_and_trust_of_many_agree_with_the_graph_after_pruning():
    """Partner search reads edge ids from ``eid_of`` and trust from ``trust_many``: after ties come and
    go they must match the networkx graph and the one-pair ``trust`` exactly, tied or not."""
    model = CooperationModel(Config(seed=2))
    for _ in range(30):
        model.step()
    net, t = model.network, model.steps
    assert net.prune(t, 1.6) > 100
    from_graph = {(u, v): d["eid"] for u, v, d in net.G.edges(data=True)}
    from_ids = {(u, v): eid for u, ids in net.eid_of.items() for v, eid in ids.items() if u < v}
    assert from_ids == {(min(u, v), max(u, v)): eid for (u, v), eid in from_graph.items()}
    lead = max(model.municipalities, key=lambda m: len(net.eid_of[m.unique_id])).unique_id
    others = [a.unique_id for a in model.municipalities + model.companies + model.ngos if a.unique_id != lead]
    assert 0 < sum(o in net.eid_of[lead] for o in others) < len(others) / 2    # some tied to the lead
    assert net.trust_many(lead, others, t).tolist() == [net.trust(lead, o, t) for o in others]
    tied = sorted(net.eid_of[lead])
    assert net.trust_many(lead, tied, t).tolist() == [net.trust(lead, o, t) for o in tied]
    few = tied[:5] + [o for o in others if o not in net.eid_of[lead]][:5]     # the short-list path
    assert net.trust_many(lead, few, t).tolist() == [net.trust(lead, o, t) for o in few]


def test_trust_metrics_follow_evidence_written_directly():
    """Ties that still hold the set-up's evidence share one trust value in the metrics; a rule that
    writes evidence straight into the arrays (not through ``record``) must still be seen."""
    from sim.metrics import trust

    model = CooperationModel(Config(seed=1))
    for _ in range(6):
        model.step()
    net, t = model.network, model.steps
    shared = np.flatnonzero(net.alive[: net._n] & (net.r[: net._n] == net.standing[0]) & (net.s[: net._n] == 0))
    assert len(shared) > 1000
    net.r[shared[:300]], net.s[shared[:300]] = 0.1, 3.0
    net.changes += 1                                                # as any writer must, for the month's caches
    e = net.edge_table(t)
    actors = e["trust"][(e["su"] != 3) & (e["sv"] != 3)]
    got = trust(model)
    assert got["trust_mean"] == pytest.approx(actors.mean(), rel=1e-12)
    assert [got["trust_p10"], got["trust_p50"], got["trust_p90"]] == np.percentile(actors, [10, 50, 90]).tolist()
