"""What was simulated, read from the runs' own metadata, so that a printout cannot misstate it: the
region, horizon, runs and seeds, the settings given on the command line, and for each scenario its
coordinating bodies with their settings and every setting in which it differs from the baseline.

>>> flatten({"a": {"b": 1, "c": [1, 2]}, "d": True})
{'a.b': 1, 'a.c': [1, 2], 'd': True}
>>> differing({"funding": {"routed": False}, "seed": 1}, {"funding": {"routed": True}, "seed": 2})
{'funding.routed': (False, True)}
"""

from __future__ import annotations

IGNORED = ("seed", "replications", "output", "scenario.name")


def flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def differing(base: dict, other: dict) -> dict[str, tuple]:
    """Settings that differ, {key: (baseline's, other's)}; the parameters of a body the scenario does not
    use are left out (they change nothing)."""
    a, b = flatten(base), flatten(other)
    bodies = set(other.get("scenario", {}).get("bodies", [])) | set(base.get("scenario", {}).get("bodies", []))
    out = {}
    for k in sorted(set(a) | set(b)):
        head = k.split(".", 1)[0]
        if k in IGNORED or head in IGNORED or a.get(k) == b.get(k):
            continue
        if head in BODY_KEYS and head not in bodies:
            continue
        out[k] = (a.get(k), b.get(k))
    return out


BODY_KEYS = ("service_organisation", "city_coordinators", "broker_group", "project_office", "development",
             "culture_events", "entry", "association")


def show(v, lang: str = "en") -> str:
    """A setting's value: on/off (an/aus), lists in brackets, numbers in the language's format.

    >>> show(0.5, "de"), show(1e-4, "de"), show(True, "de"), show(["water"], "de"), show(None, "de")
    ('0,5', '0,0001', 'an', '[water]', '–')
    """
    if v is None:
        return "–"
    if isinstance(v, bool):
        return ("on" if v else "off") if lang == "en" else ("an" if v else "aus")
    if isinstance(v, list):
        return "[" + ", ".join(show(x, lang) for x in v) + "]"
    if isinstance(v, float):
        s = f"{v:.6g}" if abs(v) >= 1e-4 or v == 0 else f"{v:.2g}"
        if "e" not in s and abs(v) >= 1e-4:
            s = f"{v:.6f}".rstrip("0").rstrip(".") if abs(v) < 1 else s
        return s.replace(".", ",") if lang == "de" else s
    return str(v)


def rows(configs: dict[str, dict], baseline: str, lang: str) -> list[list[str]]:
    """One row per scenario and setting for the report's table: scenario, setting, the baseline's value, its
    value; every setting of the bodies a scenario uses and every other setting in which it differs."""
    from sim.report import labels as L

    out = []
    for sc, cfg in configs.items():
        bodies = cfg.get("scenario", {}).get("bodies", [])
        out.append([L.scenario(sc, lang), "scenario.bodies", "",
                    ", ".join(L.scenario(b, lang) for b in bodies) or ("none" if lang == "en" else "keine")])
        if sc == baseline:
            continue
        listed = differing(configs[baseline], cfg)
        base = flatten(configs[baseline])
        for k, v in flatten(cfg).items():           # every setting of the bodies it uses, changed or not
            if k.split(".", 1)[0] in bodies and k not in listed:
                listed[k] = (base.get(k), v)
        for k in sorted(listed):
            if k != "scenario.bodies":
                out.append([L.scenario(sc, lang), k, show(listed[k][0], lang), show(listed[k][1], lang)])
    return out
