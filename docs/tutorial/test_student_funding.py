# file: tests/test_student_funding.py
"""The inherited checks for the funding rule and the metric, plus what each should do."""

import math

from sim.run import simulate
from sim.testing import AllocationRuleTests, MetricTests, a_project, small_config


class TestNeedFirst(AllocationRuleTests):
    name = "need_first"

    def test_the_neediest_lead_is_funded_first(self):
        prog = self.programme(1.0)            # 100,000 EUR; need per head: town 1 > town 2 > town 0
        for pid, lead in enumerate([0, 2, 1]):
            project = a_project(pid=pid, lead_index=lead, cost=80_000.0, seed=pid)
            project.quality = 2.0
            prog.submit(project)
        approved = [p.lead_index for p, ok, _ in prog.decide(12) if ok]
        assert approved == [1]                # 64,000 EUR each: only one fits


class TestSmallTowns(MetricTests):
    name = "small_towns"

    def test_it_counts_the_grants_of_small_leads(self):
        result = simulate(small_config(**{"funding.budget_per_head_year": 5.0}), keep_model=True)
        model = result.model
        grants = [(p.grant, model.population[p.lead_index]) for p in model.projects.all if p.grant > 0]
        expected = sum(g for g, pop in grants if pop < 20_000) / sum(g for g, _ in grants)
        assert math.isclose(result.summary["small_town_funds_share"], expected)
        assert math.isnan(simulate(small_config(**{"funding.budget_per_head_year": 0.0})).summary[
            "small_town_funds_share"])
