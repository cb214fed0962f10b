"""Defection as behaviour: when does a member fail to deliver its share of a project this month?

A member m with latent reliability rho_m, commitment c_m (its net gain as a share of its gain when it
joined, sim/rules/consortium.py), embeddedness e_m (the share of the other members it had worked with
before or shares a project partner with, when the consortium formed) and staff pressure pi_m this month
(the share of its monthly work it lacked the staff for) fails to deliver in a month of a project of
duration D with probability

    h_m = (1 - rho_m ** (1 / D)) * (1 + pressure_weight * pi_m)
          + defection_risk * (1 - c_m) * (1 - e_m) / D            (only with partners to defect on)

so over an unstressed project a fully committed member fails with probability about 1 - rho_m, staff
pressure makes the unreliable more so, and a member with little at stake is tempted to defect as much as
the cooperation problem allows (Feiock 2013), unless the partners it would let down are partners of its
partners or its own earlier partners: defecting on them would cost it its reputation with those it
depends on (Granovetter 1985; Raub & Weesie 1990, AJS 96:626: network embeddedness curbs opportunism;
in the model the evidence of a failure does travel through shared partners, sim/network.py). With
rho = 1 and defection_risk = 0 nobody ever fails to deliver. The draw is keyed on the project, its stage, the
month and the member (common random numbers).

>>> monthly_failure(1.0, 0.0, 0.5, 12.0, pressure_weight=3.0, defection_risk=0.0)
0.0
>>> round(1 - (1 - monthly_failure(0.9, 0.0, 1.0, 12.0, 3.0, 0.0)) ** 12, 3)   # over the whole project
0.1
>>> monthly_failure(1.0, 0.0, 0.0, 12.0, 3.0, 0.6, embedded=1.0)             # among old partners: no temptation
0.0
"""

from __future__ import annotations

from sim.rng import _MASK, DEFAULT, _mix


def monthly_failure(reliability: float, pressure: float, commitment: float, duration: float,
                    pressure_weight: float, defection_risk: float, embedded: float = 0.0,
                    partners: bool = True) -> float:
    d = max(duration, 1.0)
    unreliable = (1.0 - reliability ** (1.0 / d)) * (1.0 + pressure_weight * pressure)
    tempted = defection_risk * (1.0 - commitment) * (1.0 - embedded) / d if partners else 0.0
    return min(1.0, unreliable + tempted)


def fails(project, slot: int, reliability: float, pressure: float, duration: float, cfg) -> bool:
    """Does the member in ``slot`` of ``project`` fail to deliver this month? ``cfg`` is the projects group."""
    embedded = project.embedded[slot] if project.embedded else 0.0
    h = monthly_failure(reliability, pressure, project.commitment[slot], duration, cfg.pressure_weight,
                        cfg.defection_risk, embedded, len(project.members) > 1)
    return h > 0 and draw(project.seed, project.stage, project.month, slot) < h


_HASHES: dict[tuple[int, int], list[int]] = {}    # (seed, stage) -> [its hash, a month, the hash with that month]


def draw(seed: int, stage: int, month: int, slot: int) -> float:
    """``keyed(seed, DEFAULT, stage, month, slot)``, the same number. Every member of every running project
    draws every month (some 17,000 draws in a default run), so the hash of the first keys is kept per project
    stage and the month's hash for its members' draws in turn: one mixing step a draw instead of five."""
    kept = _HASHES.get((seed, stage))
    if kept is None:
        if len(_HASHES) >= 50_000:                     # (a bound on memory; the hashes are made again as needed)
            _HASHES.clear()
        h = _mix(_mix(_mix(seed & _MASK) ^ DEFAULT) ^ (stage & _MASK))
        kept = _HASHES[(seed, stage)] = [h, month, _mix(h ^ (month & _MASK))]
    elif kept[1] != month:
        kept[1], kept[2] = month, _mix(kept[0] ^ (month & _MASK))
    return (_mix(kept[2] ^ (slot & _MASK)) >> 11) * 2.0 ** -53
