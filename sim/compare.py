"""``python -m sim.compare``: compare scenarios for a region and write a workshop report.

    python -m sim.compare                                          # emscher: baseline vs klimawerk, 20 runs each
    python -m sim.compare region=saarbruecken scenarios=[baseline,herausforderung] replications=30 lang=de
    python -m sim.compare scenarios=[baseline,klimawerk] funding.budget_per_head_year=3   # any setting for all
    python -m sim.compare --help

Options (key=value, like every other setting): scenarios=[a,b,...] (default [baseline,klimawerk]),
replications=N (seeds seed..seed+N-1 for every scenario, at least 2; default 20), seed=S (0),
region=NAME (emscher), lang=en|de, name=FOLDER (default derived from the settings), jobs=N (-1 = all
cores), explain=N (seeds for the attribution of each scenario to its mechanisms, default 5, 0 = none),
robustness=N (seeds for the robustness check: every scenario with each main assumption at the low and the
high end of its plausible range, default 3, 0 = none).
Any other key=value is a model setting for every scenario (python -m sim --cfg job lists them).

Writes ``results/compare/<name>/``: the runs under ``runs/`` (a sweep folder, sim/sweep.py), and per
language a folder ``en/`` or ``de/`` (so that a German and an English report never overwrite each other)
with ``report.html`` (self-contained), ``handout.pdf`` (one page), ``figures/*.png|svg`` (16:9 for
slides), tables ``summary.csv`` (per scenario and metric: mean, 95 % CI, n) and ``differences.csv``
(paired differences against the first scenario, or ``baseline`` if listed, with a sentence and a verdict
each); and ``explain/<scenario>/``: each
scenario's difference against the baseline attributed to its mechanisms (option ``explain=N`` seeds,
default 5, 0 = off; see ``python -m sim.explain``). Every run comes from the same content-addressed
cache as sweeps: a run is reused only if its resolved config and the model code are the same, so
changing a setting (or the model) gives new runs, never old numbers. If the folder held a comparison
with other settings, its records move to ``superseded/`` and the line printed says what changed.
Every scenario's configuration is checked before any run.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.errors import UserError

OPTIONS = {"scenarios": "[baseline,klimawerk]", "replications": "20", "lang": "en", "name": "", "jobs": "-1",
           "region": "emscher", "seed": "0", "explain": "5", "robustness": "3"}


def parse(argv: list[str]) -> tuple[dict, list[str]]:
    from sim.sweep import check_name

    opts, overrides = dict(OPTIONS), []
    for arg in argv:
        key, eq, value = arg.partition("=")
        if not eq:
            raise UserError(f"'{arg}' is not of the form key=value (e.g. region=emscher, scenarios=[a,b]); "
                            "see python -m sim.compare --help")
        if key in OPTIONS:
            opts[key] = value
        elif key.lstrip("+~").startswith("hydra"):
            raise UserError(f"'{arg}': hydra.* settings do not apply to a comparison")
        else:
            overrides.append(arg)
    scenarios = [s.strip() for s in opts["scenarios"].strip("[]").split(",") if s.strip()]
    if len(scenarios) < 1 or len(set(scenarios)) != len(scenarios):
        raise UserError(f"'scenarios' = {opts['scenarios']!r}: list one or more different scenarios, e.g. [baseline,klimawerk]")
    if opts["lang"] not in ("en", "de"):
        raise UserError(f"'lang' = {opts['lang']!r} is not allowed; choose en or de")
    for key, low in (("replications", 2), ("jobs", -1), ("seed", 0), ("explain", 0), ("robustness", 0)):
        try:
            opts[key] = int(opts[key])
        except ValueError:
            raise UserError(f"'{key}' must be a whole number, not {opts[key]!r}") from None
        if opts[key] < low or (key == "jobs" and opts[key] == 0):
            raise UserError(f"'{key}' = {opts[key]} is out of range; allowed: at least {low}"
                            + (" (confidence intervals need two runs)" if key == "replications" else "")
                            + (", not 0" if key == "jobs" else ""))
    if opts["explain"] == 1:
        raise UserError("'explain' = 1 is out of range; allowed: 0 (no attribution) or at least 2 seeds")
    if opts["name"]:
        check_name(opts["name"], "name")
    opts["scenarios"] = scenarios
    return opts, overrides


def configs(opts: dict, overrides: list[str]) -> dict:
    """Compose and validate every scenario's config before any run (one-line UserError otherwise)."""
    from sim.cli import check_config, compose

    out = {}
    for sc in opts["scenarios"]:
        cfg = compose([f"scenario={sc}", f"region={opts['region']}", f"seed={opts['seed']}", *overrides,
                       "output.network=true"])
        check_config(cfg, tool="python -m sim.compare")
        out[sc] = cfg
    return out


def members_of(cfgs: dict, opts: dict) -> dict:
    """{(scenario, seed): Member}: every scenario with the same seeds (common random numbers)."""
    from sim.config import from_container, to_dict
    from sim.sweep import member_of

    out = {}
    for sc, cfg in cfgs.items():
        for k in range(opts["replications"]):
            seed = opts["seed"] + k
            run = from_container({**to_dict(cfg), "seed": seed, "replications": 1})
            out[(sc, seed)] = member_of(run, {"scenario": sc, "region": opts["region"]}, [f"scenario={sc}", f"seed={seed}"])
    return out


def variant_members(opts: dict, overrides: list[str]) -> dict:
    """{(scenario, seed, variant): Member}: the robustness check, every scenario on ``robustness`` seeds with
    each main assumption at the low and at the high end of its plausible range (sim/report/robustness.py)."""
    from sim.config import from_container, to_dict
    from sim.report.robustness import VARIANTS
    from sim.sweep import member_of

    if opts["robustness"] == 0 or len(opts["scenarios"]) < 2:
        return {}
    out = {}
    for name, setting in VARIANTS.items():
        for sc, cfg in configs(opts, [*overrides, setting]).items():
            for k in range(opts["robustness"]):
                seed = opts["seed"] + k
                run = from_container({**to_dict(cfg), "seed": seed, "replications": 1})
                out[(sc, seed, name)] = member_of(run, {"scenario": sc, "region": opts["region"], "variant": name},
                                                  [f"scenario={sc}", f"seed={seed}", setting])
    return out


def folder_name(opts: dict, overrides: list[str]) -> str:
    if opts["name"]:
        return opts["name"]
    extra = "-" + hashlib.sha1("\n".join(sorted(overrides)).encode()).hexdigest()[:8] if overrides else ""
    return f"{opts['region']}-{'-'.join(opts['scenarios'])}-seed{opts['seed']}{extra}"


def supersede(folder: Path, members: dict) -> str:
    """Move the records of runs that are not part of this comparison to superseded/<time>/ and say
    what differs (the runs themselves stay in the cache)."""
    from sim.sweep import SweepFolder

    sweep = SweepFolder(folder)
    current = {m.key for m in members.values()}
    old = {k: m for k, m in sweep.members().items() if k not in current}
    if not old:
        return ""
    aside = folder / "superseded" / time.strftime("%Y%m%d-%H%M%S")
    (aside / "members").mkdir(parents=True, exist_ok=True)
    for key in old:
        for src, dst in ((folder / "members" / f"{key}.json", aside / "members" / f"{key}.json"),
                         (folder / "runs" / key, aside / "runs" / key), (folder / "failed" / f"{key}.json", None)):
            if src.exists():
                if dst is None:
                    src.unlink()
                else:
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(src), str(dst))
    some_old = next(iter(old.values()))
    new = next((m for m in members.values() if m.choices.get("scenario") == some_old.choices.get("scenario")),
               next(iter(members.values())))
    return f"{folder.name} held runs with other settings ({difference(some_old.config, new.config)}); " \
           f"their records moved to {aside.relative_to(folder)}"


def difference(a: dict, b: dict, prefix: str = "") -> str:
    """The first setting that differs between two configs, 'key: a -> b' (or 'the model code')."""
    for k in sorted(set(a) | set(b)):
        if k == "seed" or k == "output":
            continue
        x, y = a.get(k), b.get(k)
        if isinstance(x, dict) and isinstance(y, dict):
            d = difference(x, y, f"{prefix}{k}.")
            if d:
                return d
        elif x != y:
            return f"{prefix}{k}: {x!r} -> {y!r}"
    return "" if prefix else "the model code or package versions"


def run_folder(folder: Path, scenario: str, seed: int) -> Path:
    """The run folder of one scenario and seed of a comparison (read from comparison.json)."""
    keys = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))["runs"]
    return folder / "runs" / keys[f"{scenario},{seed}"]


def explain_all(opts: dict, overrides: list[str], folder: Path) -> None:
    """Attribute each scenario's difference against the baseline to its mechanisms (python -m sim.explain,
    ``explain`` seeds, with the comparison's settings) into explain/<scenario>/; kept if already made for
    the same request."""
    from sim.explain import OUTCOMES, explain, write

    scenarios = opts["scenarios"]
    if opts["explain"] == 0 or len(scenarios) < 2:
        return
    baseline = "baseline" if "baseline" in scenarios else scenarios[0]
    for sc in scenarios:
        if sc == baseline:
            continue
        where = folder / "explain" / sc
        request = {"scenario": sc, "baseline": baseline, "region": opts["region"], "seed": int(opts["seed"]),
                   "replications": opts["explain"], "pairs": 2, "jobs": opts["jobs"], "outcomes": list(OUTCOMES),
                   "name": ""}
        key = hashlib.sha256(json.dumps([request, sorted(overrides)], sort_keys=True).encode()).hexdigest()
        if (where / "meta.json").is_file() and json.loads((where / "meta.json").read_text()).get("request") == key:
            continue
        print(f"attributing {sc} to its mechanisms ({opts['explain']} seeds)", flush=True)
        tables = explain(request, overrides, where)
        write(tables, where)
        (where / "meta.json").write_text(json.dumps({**tables["meta"], "request": key}, indent=2) + "\n")


def read_runs(folder: Path, scenarios: list[str], seeds: list[int]) -> dict[str, pd.DataFrame]:
    """The files of the comparison's runs, as long tables with scenario and seed columns."""
    finals, munis, ties = [], [], []
    for sc in scenarios:
        for s in seeds:
            run = run_folder(folder, sc, s)
            if not run.is_dir():
                raise UserError(f"the run of {sc} with seed {s} is missing; run the same command again to complete it")
            summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
            finals.append(pd.DataFrame({"scenario": sc, "seed": s, "metric": list(summary),
                                        "value": [float("nan") if v is None else v for v in summary.values()]}))
            munis.append(pd.read_csv(run / "municipalities.csv", dtype={"ags": str}).assign(scenario=sc, seed=s))
            ties.append(pd.read_csv(run / "network_end.csv").assign(scenario=sc, seed=s))
    return {"final": pd.concat(finals, ignore_index=True), "munis": pd.concat(munis, ignore_index=True),
            "ties": pd.concat(ties, ignore_index=True)}


def main(argv: list[str] | None = None) -> Path:
    from sim import sweep as S

    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("--help", "-h") for a in argv):
        print(__doc__.strip())
        raise SystemExit(0)
    try:
        opts, overrides = parse(argv)
        cfgs = configs(opts, overrides)
        from sim.results import check_writable

        folder = Path("results/compare") / folder_name(opts, overrides)
        check_writable(folder, "results/compare")
        folder = folder.resolve()           # worker processes may have another working directory
        members = members_of(cfgs, opts)
        variants = variant_members(opts, overrides)
        members.update(variants)
        note = supersede(folder, members) if folder.is_dir() else ""
        if note:
            print(note)
        t0 = time.perf_counter()
        sweep = S.SweepFolder(folder)
        status = S.run_local(list(members.values()), sweep, ["python -m sim.compare", *argv], jobs=opts["jobs"],
                             network=True, label=f"{len(cfgs)} scenarios x {opts['replications']} runs"
                             + (f" + {len(variants)} for the robustness check" if variants else ""))
        S.write_json({"runs": {",".join(map(str, k)): m.key for k, m in members.items()}},
                     folder / "comparison.json")
        failed = [k for k, v in status.items() if v == "failed"]
        if failed:
            error = json.loads((folder / "failed" / f"{failed[0]}.json").read_text(encoding="utf-8"))["error"]
            raise UserError(f"{len(failed)} of {len(status)} runs failed ({error}); the same command retries them")
        explain_all(opts, overrides, folder)
        from sim.report.build import build

        report = build(folder, opts["scenarios"], [opts["seed"] + k for k in range(opts["replications"])],
                       opts["lang"], overrides)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        print(S.interrupted_message(), file=sys.stderr, flush=True)
        raise SystemExit(130) from None
    except OSError as err:
        from sim.errors import os_error_line

        print(f"error: {os_error_line(err, 'write the comparison')}", file=sys.stderr)
        raise SystemExit(2) from None
    finally:
        S.CURRENT.clear()
    print(f"{len(cfgs)} scenarios x {opts['replications']} runs in {time.perf_counter() - t0:.0f} s")
    print(report.relative_to(Path.cwd()) if report.is_relative_to(Path.cwd()) else report)
    return report


if __name__ == "__main__":
    main()
    plt.close("all")
