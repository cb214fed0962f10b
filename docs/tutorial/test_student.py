# file: tests/test_student.py
"""The inherited checks for the two new components, plus what each should do."""

import numpy as np

from sim.run import simulate
from sim.testing import BodyTests, PartnerSelectionRuleTests, a_project, model_after, small_config


class TestExperienced(PartnerSelectionRuleTests):
    name = "experienced"

    def test_asks_the_most_experienced_first(self):
        model = model_after(12)
        model.projects.completed_by.update({7: 3, 9: 1})
        value, trust, spread = np.array([900.0, 100.0, 500.0]), np.array([0.9, 0.1, 0.5]), np.zeros(3)
        ranked = self.rule().rank(model, a_project(model), [5, 7, 9], value, trust, spread, np.random.default_rng(0))
        assert ranked == [7, 9, 5]


class TestSavingsBank(BodyTests):
    name, off_params = "savings_bank", {"budget_eur_per_year": 0.0}

    def test_its_pledges_make_projects_cheaper_for_the_towns(self):
        cfg = small_config(**{"scenario.bodies": ["savings_bank"], "funding.cofinancing_share": 0.6})
        result = simulate(cfg, keep_model=True)
        shares = {p.cofinancing_share for p in result.model.projects.all if p.programme}
        assert min(shares) == 0.3 and result.summary["savings_bank_cost_eur"] > 0
