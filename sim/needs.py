"""Local needs by theme: a finite stock per municipality that ideas come from and completed projects use up.

Each theme counts its need in the unit its real case counts in; the initial stock comes from the
municipality's population P and area A (density rho = P / A; where a custom region file has no
area, rho is Germany's mean, 233 inhabitants per km2):

============  ===========================  ===========================================================
theme         unit                         initial stock N0
============  ===========================  ===========================================================
``water``     ha of sealed area            100 A * rho / (rho + d) * sealed_share (Klima.Werk's KPI)
``energy``    districts to renovate        P / inhabitants_per_district * old_stock_share (Prima.Klima)
``services``  service fields to share      fields (LebensWert)
``supply``    localities without supply    P / inhabitants_per_locality * (1 - rho / (rho + d_s))
============  ===========================  ===========================================================

State per municipality and theme: the open need N (0 <= N <= N0), used up by completed projects and
renewed by ``renewal_per_year`` * N0 a year, never above N0; and the need ``claimed`` by projects
under way (0 <= claimed <= N). Ideas draw only on the available need N - claimed, so a stock that is
used up gives no more ideas. Nothing here creates need from anything but the data and the renewal.
Each theme's ``stock_factor`` scales its stock (0: the need does not exist).

>>> from sim.config import NeedsConfig
>>> stock = NeedStock(NeedsConfig(), population=[354_288, 8_132], area_km2=[145.66, 73.75])
>>> [round(x) for x in stock.initial[:, WATER]]          # hectares of sealed area, Bochum and a small town
[4189, 247]
>>> stock.claim(0, WATER, 10.0); stock.use(0, WATER, 10.0)
>>> round(float(stock.open[0, WATER] - stock.initial[0, WATER]), 6), float(stock.used[0, WATER])
(-10.0, 10.0)
"""

from __future__ import annotations

import numpy as np

from sim.config import THEMES, NeedsConfig, ThemeConfig

WATER, ENERGY, SERVICES, SUPPLY = (THEMES.index(t) for t in ("water", "energy", "services", "supply"))
UNITS = {"water": "ha", "energy": "districts", "services": "service fields", "supply": "localities"}
GERMAN_DENSITY = 233.0      # inhabitants per km2 (Destatis 2022), for regions without areas


def initial_stock(cfg: NeedsConfig, population, area_km2) -> np.ndarray:
    """N0 as an array (municipalities x themes), from population and area (see the module docstring)."""
    pop = np.asarray(population, dtype=float)
    area = np.asarray(area_km2, dtype=float) if area_km2 is not None else np.full(len(pop), np.nan)
    area = np.where(np.isfinite(area) & (area > 0), area, pop / GERMAN_DENSITY)
    rho = pop / area
    w, e, s, u = cfg.water, cfg.energy, cfg.services, cfg.supply
    out = np.zeros((len(pop), len(THEMES)))
    out[:, WATER] = 100.0 * area * rho / (rho + w.settlement_half_density) * w.sealed_share
    out[:, ENERGY] = pop / e.inhabitants_per_district * e.old_stock_share
    out[:, SERVICES] = s.fields
    out[:, SUPPLY] = pop / u.inhabitants_per_locality * (1.0 - rho / (rho + u.supply_half_density))
    return out * np.array([getattr(cfg, t).stock_factor for t in THEMES])


class NeedStock:
    """Initial, open, claimed and used need per municipality and theme (arrays, municipalities x themes)."""

    def __init__(self, cfg: NeedsConfig, population, area_km2):
        self.initial = initial_stock(cfg, population, area_km2)
        self.open = self.initial.copy()
        self.claimed = np.zeros_like(self.initial)
        self.used = np.zeros_like(self.initial)
        self.renewal = np.array([getattr(cfg, t).renewal_per_year / 12.0 for t in THEMES])

    def available(self, i: int, k: int) -> float:
        return max(self.open.item(i, k) - self.claimed.item(i, k), 0.0)      # (Python floats: the same number)

    def claim(self, i: int, k: int, amount: float) -> None:
        """A project under way reserves ``amount`` of the available need (at most what is available)."""
        if amount > self.available(i, k) + 1e-9:
            raise ValueError(f"claiming {amount:g} of need {THEMES[k]} in municipality {i}, only "
                             f"{self.available(i, k):g} available")
        self.claimed[i, k] += amount

    def release(self, i: int, k: int, amount: float) -> None:
        """A project that ended without completing gives its claim back."""
        self.claimed[i, k] = max(self.claimed[i, k] - amount, 0.0)

    def use(self, i: int, k: int, amount: float) -> None:
        """A completed project meets the need it claimed."""
        self.claimed[i, k] = max(self.claimed[i, k] - amount, 0.0)
        met = min(amount, float(self.open[i, k]))
        self.open[i, k] -= met
        self.used[i, k] += met

    def renew(self) -> None:
        """One month of new need: renewal_per_year / 12 of the initial stock, up to the initial stock."""
        np.minimum(self.open + self.renewal * self.initial, self.initial, out=self.open)

    def available_all(self) -> np.ndarray:
        return np.maximum(self.open - self.claimed, 0.0)


class Theme:
    """A theme's project economics as plain floats (called for every candidate partner a lead weighs).

    For a project whose municipal members bring scope X (summed), with m_c company and m_n NGO partners:

        cost  C(X) = cost_per_scope_eur * X_ref * (X / X_ref) ** scale_exponent
        value V(X) = benefit_ratio * cost_per_scope_eur * X * (1 + E(company_effect, m_c) + E(ngo_effect, m_n))
        E(e, m)    = 2 e (1 - 0.5 ** m)        (the first partner of a sector adds e, the next e / 2, ...)

    so that below the reference scope a project yields less per euro (economies of scale), and
    partners of other sectors widen what it achieves.

    >>> from sim.config import ServicesConfig
    >>> t = Theme(SERVICES, ServicesConfig())
    >>> alone, together = t.value(2.0, 0, 0) / t.cost(2.0), t.value(8.0, 0, 0) / t.cost(8.0)
    >>> round(alone, 2), round(together, 2)                # a town of 2,000 alone, four such towns together
    (1.0, 1.52)
    """

    def __init__(self, index: int, cfg: ThemeConfig):
        self.index, self.name, self.cfg = index, THEMES[index], cfg
        self.unit = UNITS[self.name]
        self.by_population = cfg.scope == "population"
        self.ref = cfg.scope_reference
        self.unit_cost = cfg.cost_per_scope_eur
        self.alpha = cfg.scale_exponent
        self.value_per_scope = cfg.benefit_ratio * cfg.cost_per_scope_eur
        self.company_effect, self.ngo_effect = cfg.company_effect, cfg.ngo_effect
        self.depletion = cfg.depletion_exponent
        self.staff_per_eur = cfg.staff_months_per_100k_eur / 1e5

    def cost(self, scope: float) -> float:
        return self.unit_cost * self.ref * (scope / self.ref) ** self.alpha if scope > 0 else 0.0

    def value(self, scope: float, companies: int, ngos: int) -> float:
        lift = 1.0
        if companies:
            lift += 2.0 * self.company_effect * (1.0 - 0.5 ** companies)
        if ngos:
            lift += 2.0 * self.ngo_effect * (1.0 - 0.5 ** ngos)
        return self.value_per_scope * scope * lift

    def scope_of(self, chunk: float, population: float) -> float:
        """What a municipal member adds to the scope: its chunk of need, or its population in thousands."""
        return population / 1000.0 if self.by_population else chunk

    def depletion_factor(self, initial: float, open_need: float) -> float:
        """Cost factor (N0 / N) ** depletion_exponent: the cheap needs are met first."""
        if self.depletion == 0 or initial <= 0:
            return 1.0
        return (initial / max(open_need, 1e-9 * initial)) ** self.depletion


def themes(cfg: NeedsConfig) -> list[Theme]:
    return [Theme(k, getattr(cfg, name)) for k, name in enumerate(THEMES)]
