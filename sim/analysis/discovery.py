"""Scenario discovery: PRIM boxes and feature scores on a sweep's saved runs (EMA Workbench).

PRIM (Friedman & Fisher 1999), as used for scenario discovery by Bryant & Lempert (2010), finds a box
in the space of varied settings where runs of interest ("approvals above 300") are dense: *coverage*
is the share of all runs of interest that lie in the box, *density* the share of the box's runs that
are of interest. We use EMA Workbench's implementation (Kwakkel 2017, Environ. Model. Softw. 96:239),
the reference one in this field, and pick from its peeling trajectory the box with the highest
coverage whose density reaches ``min_density``. Feature scores are EMA's extra-trees importances
(how much each setting explains an outcome, summing to 1 per outcome).

EMA Workbench is imported only here (it takes a few seconds), so nothing else pays for it.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from sim.errors import UserError


def _ema():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("EMA").setLevel(logging.WARNING)
        from ema_workbench.analysis import feature_scoring, prim
    return prim, feature_scoring


def prim_box(x: pd.DataFrame, interesting: np.ndarray, min_density: float = 0.8, peel_alpha: float = 0.05,
             mass_min: float = 0.05) -> dict:
    """The PRIM box of highest coverage with density >= ``min_density``.

    Returns ``{"limits": DataFrame(parameter, low, high, restricted), "stats": {coverage, density, mass,
    n, k, res_dim}, "trajectory": DataFrame}``. ``x`` holds one numeric or text column per setting,
    ``interesting`` one boolean per row.
    """
    if len(x) != len(interesting) or len(x) < 10:
        raise UserError(f"PRIM needs at least 10 runs with their settings; got {len(x)}")
    y = np.asarray(interesting, bool)
    if not y.any():
        raise UserError("no run is of interest (the condition holds for none); choose another threshold")
    prim, _ = _ema()
    x = x.reset_index(drop=True).copy()
    for c in x.columns:
        if x[c].dtype.kind in "iub":
            x[c] = x[c].astype(float)
    with warnings.catch_warnings():            # EMA 3.0 uses a pandas keyword that pandas 3.1 deprecates
        warnings.simplefilter("ignore", FutureWarning)
        warnings.filterwarnings("ignore", message=".*inplace.*")
        algorithm = prim.Prim(x, y, peel_alpha=peel_alpha, mass_min=mass_min)
        box = algorithm.find_box()
    traj = box.peeling_trajectory.reset_index(drop=True)
    ok = traj[traj.density >= min_density]
    i = int(ok.coverage.idxmax()) if len(ok) else int(traj.density.idxmax())
    box.select(i)
    lims = box.box_lims[i]
    init = algorithm.box_init
    rows = []
    for c in x.columns:
        if x[c].dtype.kind == "f":
            low, high = float(lims[c].iloc[0]), float(lims[c].iloc[1])
            restricted = low > float(init[c].iloc[0]) or high < float(init[c].iloc[1])
            rows.append({"parameter": c, "low": low, "high": high, "values": "", "restricted": restricted})
        else:
            values = sorted(map(str, lims[c].iloc[0]))
            restricted = set(values) != set(map(str, init[c].iloc[0]))
            rows.append({"parameter": c, "low": np.nan, "high": np.nan, "values": ",".join(values),
                         "restricted": restricted})
    stats = {k: float(traj.loc[i, k]) for k in ("coverage", "density", "mass", "res_dim", "n", "k")}
    stats["reached_min_density"] = bool(len(ok))
    return {"limits": pd.DataFrame(rows), "stats": stats, "trajectory": traj[["coverage", "density", "mass",
                                                                                "res_dim", "n", "k"]],
            "selected": i}


def describe_box(result: dict, condition: str) -> str:
    """'approvals > 300 when a in [0.6, 1] and b in [0, 0.3] (coverage 85 %, density 92 %, 40 runs)'."""
    parts = []
    for r in result["limits"][result["limits"].restricted].itertuples():
        parts.append(f"{r.parameter} in {{{r.values}}}" if r.values else f"{r.parameter} in [{r.low:.4g}, {r.high:.4g}]")
    s = result["stats"]
    where = " and ".join(parts) if parts else "anywhere (no restriction found)"
    return (f"{condition} when {where} (coverage {100 * s['coverage']:.0f} %, density {100 * s['density']:.0f} %, "
            f"{int(s['n'])} runs in the box)")


def plot_trajectory(result: dict, title: str = ""):
    """Density against coverage along the peeling trajectory; the chosen box is circled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    traj = result["trajectory"]
    fig, ax = plt.subplots(figsize=(6, 4.2), dpi=120)
    sc = ax.scatter(traj.coverage, traj.density, c=traj.res_dim, cmap="viridis", s=18)
    i = result["selected"]
    ax.scatter([traj.coverage[i]], [traj.density[i]], s=140, facecolors="none", edgecolors="#D55E00", lw=2)
    fig.colorbar(sc, ax=ax, label="restricted dimensions")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(title or "PRIM peeling trajectory", fontsize=9)
    fig.tight_layout()
    return fig


def feature_scores(x: pd.DataFrame, outcomes: dict[str, np.ndarray], seed: int = 0) -> pd.DataFrame:
    """Extra-trees feature scores (EMA Workbench), one column per outcome, one row per setting."""
    if len(x) < 10:
        raise UserError(f"feature scoring needs at least 10 runs; got {len(x)}")
    _, fs = _ema()
    x = x.reset_index(drop=True)
    out = {}
    for name, y in outcomes.items():
        y = np.asarray(y, float)
        ok = np.isfinite(y)
        if ok.sum() < 10 or np.nanstd(y) == 0:
            continue
        scores, _ = fs.get_ex_feature_scores(x[ok].reset_index(drop=True), y[ok],
                                             mode=fs.RuleInductionType.REGRESSION, random_state=seed)
        out[name] = scores.iloc[:, 0]
    return pd.DataFrame(out)
