"""What every actor in the collaboration graph has: a sector, a home municipality, a willingness, a
capacity of staff time, and a latent reliability that others can learn only from evidence.

An agent kind is an :class:`Actor` subclass registered in ``agent_kinds``; ``actors.kinds`` chooses
which kinds a run has, by name (``municipality`` first: the others live in its towns). Its classmethod
``populate(model, rng)`` makes its agents when the model is built, and its sector decides what the
model does with them: ``business`` actors are asked to join projects and to support NGOs' requests
(``model.companies``), ``civil`` actors are asked to join projects and make requests of their own
(``model.ngos``). The region's municipalities are the only ``public`` actors.

Mesa's API stays inside ``sim/agents`` and ``sim/model.py`` (Mesa moves fast; notes/stack.md).
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.registry import Registry

agent_kinds = Registry("agent kind")


class Actor(mesa.Agent):
    """A Mesa agent that is also a node of ``model.network``.

    ``willingness`` scales how much of a project's gain the actor counts when deciding to join (1 for
    municipalities, which own their projects; an engagement propensity for companies and NGOs).
    ``capacity`` is the staff-months it can give to projects each month; ``free`` is this month's
    balance: a task may start whenever something is left and then overrun, and the overrun is worked off
    from next month's capacity. ``reliability`` is the latent probability that it delivers its share of
    a project when it is neither short of staff nor uncommitted (sim/delivery.py); nobody reads it but
    the delivery rule.
    """

    sector: str = "public"
    home: int = -1            # index of the home municipality in model.region
    willingness: float = 1.0
    capacity: float = 0.0
    free: float = 0.0
    committed: float = 0.0    # monthly work promised to projects under way (companies and NGOs)
    reliability: float = 1.0
    budget: float = 0.0       # EUR a year it can give to NGOs' requests (business actors), renewed in months 1, 13, ...
    budget_left: float = 0.0
    draws_from: str = ""      # the random stream populate draws from; "" = its own, "actors:<name>"

    def __init__(self, model: mesa.Model, **attrs):
        super().__init__(model)
        for key, value in attrs.items():
            setattr(self, key, value)
        model.by_id[self.unique_id] = self           # so model.agent(id) finds agents made at any time
        model.network.add_node(self.unique_id, self.sector, kind=self.key)

    @classmethod
    def populate(cls, model: mesa.Model, rng: np.random.Generator) -> list[Actor]:
        """Make this kind's agents for ``model`` (its region is ``model.region``, the municipalities made so
        far ``model.municipalities``) drawing only from ``rng``, and return them all. Every agent needs a
        ``home`` (``municipality.index``, not its ``unique_id``), a ``capacity`` >= 0, a ``willingness`` and
        a ``reliability`` in [0, 1]; :func:`reliabilities` draws the latter as for everyone else. A kind's
        parameters (its ``Params``) are ``sim.components.params_of(model.cfg, cls)``."""
        raise NotImplementedError(f"agent kind '{cls.key}' must define the classmethod populate(model, rng)")

    def new_month(self) -> None:
        """This month's capacity, less any overrun carried from last month."""
        self.free = self.capacity + min(self.free, 0.0)

    def spend(self, staff_months: float) -> bool:
        """Start a task if any staff time is left this month (it may overrun); return whether it started."""
        if staff_months > 0 and self.free <= 1e-12:
            return False
        self.free -= staff_months
        return True

    def work(self, staff_months: float) -> float:
        """Put up to ``staff_months`` of this month's free time into ongoing work; returns what was put in."""
        done = min(staff_months, max(self.free, 0.0))
        self.free -= done
        return done

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.unique_id}>"


def reliabilities(actors_cfg, rng: np.random.Generator, n: int) -> np.ndarray:
    """Latent reliability of ``n`` actors: Beta(mean * c, (1 - mean) * c), or 1 for all if the mean is 1."""
    if actors_cfg.reliability_mean >= 1.0:
        return np.ones(n)
    mean, c = actors_cfg.reliability_mean, actors_cfg.reliability_concentration
    return rng.beta(mean * c, (1 - mean) * c, n)


def check_kinds(names: list[str]) -> list[type[Actor]]:
    """The agent kinds of ``actors.kinds``, checked before any agent is made: registered, municipality
    first, each other kind 'business' or 'civil' (as its class and its registration both say) and with a
    ``populate`` of its own. A UserError names the key or the kind otherwise."""
    from sim.components import describe
    from sim.errors import UserError

    if not names or names[0] != "municipality":
        raise UserError(f"'actors.kinds' = {names} must start with municipality (the region's towns; the other "
                        "kinds live in them)")
    kinds = [agent_kinds.get(name) for name in names]
    for kind in kinds[1:]:
        where = describe("agent kind", kind.key)
        said = kind.traits.get("sector", kind.sector)
        if said != kind.sector:
            raise UserError(f"{where} is registered with sector '{said}' but its class says sector = "
                            f"'{kind.sector}'; set the class attribute (the model reads it)")
        if kind.sector not in ("business", "civil"):
            raise UserError(f"{where} has sector '{kind.sector}'; the region's municipalities are the only public "
                            "actors, so another kind is 'business' or 'civil'")
        if getattr(kind.populate, "__func__", None) is Actor.populate.__func__:
            raise UserError(f"{where} has no populate of its own; define the classmethod populate(cls, model, rng) "
                            "that makes and returns its agents")
    return kinds
