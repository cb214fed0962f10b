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
    """Triangles are counted as ties come (and as pruning removes them); the average must equal networkx's
    on the actors' graph at every point, whatever a coordinating body is tied to."""
    rng = np.random.default_rng(3)
    net = CollabNetwork(TrustConfig())
    for node in range(1, 41):
        net.add_node(node, ("public", "business", "civil")[node % 3])
    net.add_node(41, "coordination")
    seen = []
    for step in range(1, 40):
        for u, v in rng.integers(1, 42, size=(12, 2)).tolist():
            if u != v:
                net.record(u, v, step=step, positive=float(rng.random() < 0.7))
        if step % 12 == 0:
            assert net.prune(step, lifetime=6) > 0 and net.G.number_of_edges() > 0
        G = nx.empty_graph(range(1, 41))
        G.add_edges_from((a, b) for a, b in net.G.edges() if 41 not in (a, b))
        seen.append(nx.average_clustering(G))
        assert net.average_clustering(40) == pytest.approx(seen[-1], abs=1e-12)
    assert max(seen) > 0.15                                   # triangles did form (and go)


def test_trust_is_directional_beta_reputation_with_forgetting():
    net = CollabNetwork(TrustConfig(forgetting_positive=0.5, forgetting_negative=1.0))
    for node in (1, 2):
        net.add_node(node, "public")
    net.record(1, 2, step=0, positive=4.0)
    assert net.trust(1, 2, 0) == pytest.approx(5 / 6)          # (4 + 1) / (4 + 0 + 2)
    assert net.trust(2, 1, 0) == pytest.approx(1 / 2)          # 2 has seen nothing of 1
    assert net.trust(1, 2, 1) == pytest.approx(3 / 4)          # r = 2 after one month at 0.5
    net.record(1, 2, step=1, negative=2.0)
    assert net.trust(1, 2, 1) == pytest.approx(3 / 6)          # (2 + 1) / (2 + 2 + 2)


def test_distrust_does_not_heal_by_forgetting_alone():
    """Positive evidence fades, negative evidence (by default) does not: after a failure, time alone
    brings trust down towards s's weight, not back up to the prior."""
    net = CollabNetwork(TrustConfig())
    for node in (1, 2):
        net.add_node(node, "public")
    net.record(1, 2, step=0, positive=3.0, negative=2.0)
    early, late = net.trust(1, 2, 0), net.trust(1, 2, 240)
    assert late < early and late < 0.5
    assert late == pytest.approx((3 * 0.99 ** 240 + 1) / (3 * 0.99 ** 240 + 2 + 2))


def test_zero_prior_gives_zero_trust_to_strangers():
    net = CollabNetwork(TrustConfig(prior_positive=0.0))
    net.add_node(1, "public"), net.add_node(2, "business")
    assert net.trust(1, 2, 0) == 0.0


def test_a_tie_and_its_evidence_are_separate():
    """Ties made by projects disappear after a long silence; what each side knew of the other stays and is
    there again when they meet anew. Ties of neighbourhood stay, with or without evidence."""
    net = CollabNetwork(TrustConfig())
    for node in (1, 2, 3):
        net.add_node(node, "public")
    net.add_ties([1], [3], "geographic", 0)                     # neighbours, no evidence at all
    net.record(1, 2, step=0, positive=2.0)                       # a joint project's tie, with evidence
    before = net.trust(1, 2, 0)
    assert net.prune(59, lifetime=60) == 0
    assert net.prune(60, lifetime=60) == 1
    assert not net.G.has_edge(1, 2) and net.G.has_edge(1, 3)
    assert net.trust(1, 2, 60) == pytest.approx((2 * 0.99 ** 60 + 1) / (2 * 0.99 ** 60 + 2))   # still known
    net.tie(1, 2, "project", 61)                                 # they meet again: the old slot is back
    assert net.G.has_edge(1, 2) and net.trust(1, 2, 61) < before and net.trust(1, 2, 61) > 0.5


def test_shared_partners_reports_are_discounted_as_josang_and_ismail_2002():
    """1 knows 3 (r=4, s=1), 3 knows 2 (r=2, s=3): 1's opinion of 2 adds 3's evidence discounted by
    r' = 2 r_13 r_32 / ((s_13 + 2)(r_32 + s_32 + 2) + 2 r_13), s' likewise."""
    net = CollabNetwork(TrustConfig(forgetting_positive=1.0))
    for node in (1, 2, 3):
        net.add_node(node, "public")
    net.record(1, 3, 0, positive=4.0, negative=1.0)
    net.record(3, 2, 0, positive=2.0, negative=3.0)
    net.tie(1, 2, "introduction", 0)
    den = (1 + 2) * (2 + 3 + 2) + 2 * 4
    r, s = 2 * 4 * 2 / den, 2 * 4 * 3 / den
    mean, sd = net.opinion(1, 2, 0)
    assert mean == pytest.approx((r + 1) / (r + s + 2))
    assert sd == pytest.approx(np.sqrt(mean * (1 - mean) / (r + s + 3)))
    assert net.opinion(1, 2, 0, third_party=False) == pytest.approx((0.5, np.sqrt(0.25 / 3)))
    net.record(1, 3, 0, negative=10.0)                           # 1 no longer believes 3 ... (cache invalidated)
    assert net.opinion(1, 2, 0)[0] == pytest.approx(
        (2 * 4 * 2 / ((11 + 2) * 7 + 8) + 1) / (2 * 4 * 5 / ((11 + 2) * 7 + 8) + 2))


def test_remembered_opinions_equal_fresh_ones_after_any_change():
    """Opinions are remembered within the month; after random writes, ties and prunings the remembered
    value must equal one computed afresh."""
    rng = np.random.default_rng(8)
    net = CollabNetwork(TrustConfig())
    for node in range(1, 21):
        net.add_node(node, ("public", "business")[node % 2])
    for step in range(1, 30):
        for _ in range(6):
            u, v = rng.choice(20, 2, replace=False) + 1
            net.record(int(u), int(v), step, positive=float(rng.random()), negative=float(rng.random() < 0.3))
        if step % 7 == 0:
            net.prune(step, lifetime=4)
        for _ in range(10):
            u, v = rng.choice(20, 2, replace=False) + 1
            remembered = net.opinion(int(u), int(v), step)
            assert remembered == net._opinion(int(u), int(v), step, True)


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
    assert net.prune(70, lifetime=60, keep={(1, 2)}) == 0 and net.G.has_edge(1, 2)
    assert net.prune(70, lifetime=60) == 1


def test_trust_metrics_equal_the_edge_table_without_bodies_ties():
    """The monthly trust metrics come from the directed evidence of every live tie between actors; computed
    the long way from the edge table (live ties, bodies' ties left out) they must be the same numbers."""
    from sim.cli import compose
    from sim.metrics import SECTOR_PAIRS, network, trust
    from sim.network import SECTORS

    model = CooperationModel(compose(["scenario=klimawerk", "seed=3", "region=saarbruecken", "scenario.members=all"]))
    for _ in range(30):
        model.step()
    t = model.steps
    e = model.network.edge_table(t)
    body = SECTORS.index("coordination")
    keep = (e["su"] != body) & (e["sv"] != body)
    assert (~keep).sum() > 0                                      # the scenario's bodies do have ties
    both = np.concatenate([e["trust_uv"][keep], e["trust_vu"][keep]])
    got = trust(model)
    assert got["trust_mean"] == pytest.approx(both.mean(), rel=1e-12)
    assert [got["trust_p10"], got["trust_p50"], got["trust_p90"]] == pytest.approx(np.percentile(both, [10, 50, 90]))
    in_use = np.concatenate([e["contact"][keep]] * 2) >= t - model.cfg.network.in_use_months
    assert got["trust_in_use_mean"] == pytest.approx(both[in_use].mean(), rel=1e-12)
    su, sv = np.concatenate([e["su"][keep]] * 2), np.concatenate([e["sv"][keep]] * 2)
    lo, hi = np.minimum(su, sv), np.maximum(su, sv)
    for a, b in SECTOR_PAIRS:
        mask = (lo == SECTORS.index(a)) & (hi == SECTORS.index(b)) & in_use
        if mask.any():
            assert got[f"trust_{a}_{b}"] == pytest.approx(both[mask].mean(), rel=1e-12)
    net = network(model)
    assert net["ties"] == keep.sum()
    assert net["cross_sector_share"] == pytest.approx((e["su"][keep] != e["sv"][keep]).mean())


def test_the_trust_distribution_varies_between_ties():
    """Ties differ in what each side has seen: the distribution is not one value (v1's clock)."""
    from sim.metrics import trust

    model = CooperationModel(Config())
    for _ in range(120):
        model.step()
    got = trust(model)
    assert got["trust_p90"] - got["trust_p10"] > 0.15
    assert got["trust_in_use_p90"] - got["trust_in_use_p10"] > 0.15


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


def test_slots_and_neighbours_agree_with_the_graph_after_pruning():
    model = CooperationModel(Config(seed=2))
    for _ in range(30):
        model.step()
    net, t = model.network, model.steps
    net.prune(t, lifetime=1)
    from_graph = {(u, v): d["eid"] for u, v, d in net.G.edges(data=True)}
    from_ids = {(u, v): eid for u, ids in net.eid_of.items() for v, eid in ids.items() if u < v}
    assert from_ids == {(min(u, v), max(u, v)): eid for (u, v), eid in from_graph.items()}
    assert all(net.slot_of[pair] == eid for pair, eid in from_ids.items())


def test_partner_sets_and_project_history_agree_with_the_slot_arrays():
    """network.partners (kept by joint_project) holds exactly the pairs whose slot counts a joint project, and
    the quick project_history / knows read from it equal a walk over the live ties' slot arrays."""
    from sim.submodels.search import knows, project_history

    model = CooperationModel(Config(seed=4, horizon_months=48))
    for _ in range(48):
        model.step()
    net = model.network
    pairs = {(int(min(u, v)), int(max(u, v))) for u, v, n in
             zip(net.u[: net._n], net.v[: net._n], net.projects[: net._n]) if n > 0}
    assert pairs and pairs == {(min(a, b), max(a, b)) for a, bs in net.partners.items() for b in bs}
    nodes = sorted({x for pair in pairs for x in pair})[:40]
    seen = set()
    for a in nodes:
        for b in nodes:
            if a == b:
                continue
            mine, theirs = net.eid_of[a], net.eid_of[b]
            triangle = any(net.projects[e] > 0 and net.projects[theirs[k]] > 0 for k, e in mine.items() if k in theirs)
            repeats = (min(a, b), max(a, b)) in pairs
            assert project_history(net, a, b) == (triangle, repeats)
            assert knows(net, a, b) == (triangle or repeats)
            seen.add((triangle, repeats))
    assert (True, False) in seen and (False, True) in seen and (False, False) in seen   # every case was met


def test_contacts_trust_equals_each_contacts_own_trust():
    model = CooperationModel(Config(seed=5, horizon_months=24))
    for _ in range(24):
        model.step()
    net, t = model.network, model.steps
    for m in model.municipalities:
        node = m.unique_id
        assert net.contacts_trust(node, t) == [net.trust(o, node, t) for o in net.eid_of[node]]
        assert list(net.contact_trust(node, t).values()) == [net.trust(node, o, t) for o in net.eid_of[node]]
