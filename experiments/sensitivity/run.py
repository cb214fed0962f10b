"""Global sensitivity analysis in two stages: Morris screening, then Sobol indices for the top few.

    python experiments/sensitivity/run.py                        # klimawerk on emscher, 120 months
    python experiments/sensitivity/run.py quick=true             # smoke test: tiny samples, 24 months
    python experiments/sensitivity/run.py scenario=baseline region=saarbruecken horizon_months=60 top_k=3
    python experiments/sensitivity/run.py hydra/launcher=slurm hydra.sweeper.runs_per_job=20   # on a cluster

Both stages are the experiment ``configs/experiment/sensitivity.yaml`` (the parameters, their
plausible ranges and the reasons for them live there, not here), run by ``python -m sim`` through the
same cached, resumable sweep runner and launchers as any sweep, and analysed by
``python -m sim.analysis design``. This script only chains them: the Sobol stage varies the ``top_k``
parameters with the largest Morris mu* of ``sobol_metric``.

Options (key=value): top_k (4), sobol_metric (approvals), sobol_n (64, a power of 2), trajectories
(10), params=[a,b,...] (a subset of the experiment's uncertainties for Morris), resamples (1000),
quick (false: true = 2 trajectories, sobol_n 8, 24 months, 100 resamples), name (default
sensitivity[-<hash of the other settings>]). Every other key=value goes to ``python -m sim`` (model
settings, ``seed='range(3)'`` for three seeds per row, ``hydra.*``). Results:
results/sweeps/<name>-morris/ and <name>-sobol/, with analysis/design/ in each.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pandas as pd

from sim.errors import UserError

OPTIONS = {"top_k": "4", "sobol_metric": "approvals", "sobol_n": "64", "trajectories": "10", "params": "",
           "resamples": "1000", "quick": "false", "name": "", "sweep_dir": "results/sweeps"}


def parse(argv: list[str]) -> tuple[dict, list[str]]:
    opts, rest = dict(OPTIONS), []
    given = {a.partition("=")[0] for a in argv}
    for arg in argv:
        key, eq, value = arg.partition("=")
        if not eq and not arg.startswith("-"):
            raise UserError(f"'{arg}' is not of the form key=value; see experiments/sensitivity/run.py --help")
        if key in OPTIONS:
            opts[key] = value
        elif key == "output.sweep_dir":
            opts["sweep_dir"] = value
            rest.append(arg)
        else:
            rest.append(arg)
    for key, low in (("top_k", 1), ("sobol_n", 2), ("trajectories", 2), ("resamples", 1)):
        try:
            opts[key] = int(opts[key])
        except ValueError:
            raise UserError(f"'{key}' must be a whole number, not {opts[key]!r}") from None
        if opts[key] < low:
            raise UserError(f"'{key}' = {opts[key]} is out of range; allowed: at least {low}")
    if opts["quick"] not in ("true", "false"):
        raise UserError(f"'quick' must be true or false, not {opts['quick']!r}")
    opts["quick"] = opts["quick"] == "true"
    if opts["quick"]:
        opts.update({k: v for k, v in (("trajectories", 2), ("sobol_n", 8), ("resamples", 100)) if k not in given})
        if not any(a.startswith("horizon_months=") for a in rest):
            rest.append("horizon_months=24")
    opts["params"] = [p for p in opts["params"].strip("[]").split(",") if p]
    if not opts["name"]:
        extra = sorted(a for a in rest if not a.startswith("hydra"))
        opts["name"] = "sensitivity" + ("-" + hashlib.sha1("\n".join(extra).encode()).hexdigest()[:8] if extra else "") \
            + ("-quick" if opts["quick"] else "")
    return opts, rest


def stage(opts: dict, rest: list[str], kind: str, extra: list[str]) -> Path:
    from sim.cli import main as sim

    name = f"{opts['name']}-{kind}"
    sim(["+experiment=sensitivity", f"hydra.sweeper.design.kind={kind}", f"output.name={name}", *extra, *rest])
    return Path(opts["sweep_dir"]) / name


def top_parameters(indices: pd.DataFrame, metric: str, k: int) -> list[str]:
    """The k parameters with the largest Morris mu* for ``metric`` (first lever group)."""
    rows = indices[indices.metric == metric].dropna(subset=["mu_star"])
    if rows.empty:
        raise UserError(f"no Morris indices for metric '{metric}' (all its outputs undefined?)")
    return rows.sort_values("mu_star", ascending=False).drop_duplicates("parameter").parameter.head(k).tolist()


def main(argv: list[str] | None = None) -> tuple[Path, Path]:
    from sim.analysis.__main__ import design

    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip())
        raise SystemExit(0)
    try:
        opts, rest = parse(argv)
        metrics = f"{opts['sobol_metric']},completions,trust_mean,gini_funds_per_head"
        morris_extra = [f"hydra.sweeper.design.trajectories={opts['trajectories']}"]
        if opts["params"]:
            morris_extra.append(f"hydra.sweeper.only=[{','.join(opts['params'])}]")
        morris = stage(opts, rest, "morris", morris_extra)
        design(morris, metrics, opts["resamples"])
        top = top_parameters(pd.read_csv(morris / "analysis" / "design" / "indices.csv"), opts["sobol_metric"],
                             opts["top_k"])
        print(f"Sobol over the top {len(top)} by mu* of {opts['sobol_metric']}: {', '.join(top)}")
        sobol = stage(opts, rest, "sobol", [f"hydra.sweeper.design.n={opts['sobol_n']}",
                                            f"hydra.sweeper.only=[{','.join(top)}]"])
        design(sobol, metrics, opts["resamples"])
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    print(morris)
    print(sobol)
    return morris, sobol


if __name__ == "__main__":
    main()
