"""Pattern-oriented calibration by ABC-SMC with held-out patterns (docs/validation.md, ODD §7.18).

    python -m sim.calibrate                        # the calibration of configs/calibration/main.yaml
    python -m sim.calibrate quick=true             # tiny budget and short runs (a smoke test; never writes configs/)
    python -m sim.calibrate report=results/calibration/main   # regenerate docs/validation.md from a result folder

settings (key=value): quick=true|false  name=NAME (result folder, default main / quick)  jobs=N (processes
over a particle's seeds, default 1)  calibration=main (a file in configs/calibration/)  overwrite_scenario=true
out=DIR (default results/calibration)  patterns=DIR (pattern files, default configs/patterns)
output.cache_dir=DIR  output.sweep_dir=DIR  report=FOLDER  doc=FILE (with report=, default docs/validation.md)

Every model run goes through the sweep runner and the run cache, so an interrupted or repeated
calibration recomputes nothing: the same command regenerates the same particles and finds them cached.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

from sim.errors import UserError

OPTIONS = {"quick": "false", "name": "", "jobs": "1", "calibration": "main", "overwrite_scenario": "false",
           "out": "results/calibration", "patterns": "", "output.cache_dir": "results/cache",
           "output.sweep_dir": "results/sweeps", "report": "", "doc": ""}


def parse(argv: Sequence[str]) -> dict:
    opts = dict(OPTIONS)
    for arg in argv:
        key, eq, value = arg.partition("=")
        if not eq or key not in OPTIONS:
            raise UserError(f"'{arg}' is not a setting; allowed: {', '.join(f'{k}=...' for k in OPTIONS)} "
                            "(python -m sim.calibrate --help)")
        opts[key] = value
    for key in ("quick", "overwrite_scenario"):
        if opts[key] not in ("true", "false"):
            raise UserError(f"'{key}' = {opts[key]!r} must be true or false")
    try:
        jobs = int(opts["jobs"])
    except ValueError:
        raise UserError(f"'jobs' = {opts['jobs']!r} must be a whole number (1, 2, ... or -1 for all cores)") from None
    if jobs == 0 or jobs < -1:
        raise UserError(f"'jobs' = {jobs} is not allowed; give 1, 2, ... or -1 for all cores")
    opts["jobs"] = jobs
    if opts["name"]:
        from sim.sweep import check_name

        check_name(opts["name"], "name")
    return opts


def main(argv: Sequence[str] | None = None) -> Path | None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help", "help") for a in argv):
        print(__doc__.strip())
        return None
    try:
        opts = parse(argv)
        if opts["report"]:
            from sim.calibration.report import write_validation

            doc = write_validation(Path(opts["report"]), **({"doc": Path(opts["doc"])} if opts["doc"] else {}))
            print(f"wrote {doc}")
            return doc
        from sim.calibration.spec import PATTERN_DIR, load_calibration
        from sim.calibration.study import Options, run

        cal = load_calibration(opts["calibration"], Path(opts["patterns"]) if opts["patterns"] else PATTERN_DIR)
        quick = opts["quick"] == "true"
        options = Options(cal, quick, opts["name"] or ("quick" if quick else cal.name), opts["jobs"],
                          Path(opts["out"]), opts["output.cache_dir"], Path(opts["output.sweep_dir"]),
                          opts["overwrite_scenario"] == "true", argv)
        return run(options, lambda msg: print(msg, flush=True))
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        print("interrupted: nothing was written to the result folder; the same command again reuses every run "
              "finished so far (cache)", file=sys.stderr)
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
