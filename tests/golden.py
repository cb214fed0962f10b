"""The golden baseline: a small fixed run whose summary is pinned in tests/golden_summary.json.

When a change to the model is intended, re-pin it and say why in the commit message:

    make baseline            # = python -m tests.golden --update
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sim.config import Config, RegionConfig
from sim.results import clean
from sim.run import simulate

PINNED = Path(__file__).with_name("golden_summary.json")
GOLDEN = Config(seed=2026, horizon_months=48, region=RegionConfig(preset="saarbruecken"))


def current() -> dict:
    return clean(simulate(GOLDEN).summary)


def main(argv: list[str]) -> None:
    if argv != ["--update"]:
        raise SystemExit("usage: python -m tests.golden --update")
    PINNED.write_text(json.dumps(current(), indent=2) + "\n", encoding="utf-8")
    print(f"pinned {PINNED}")


if __name__ == "__main__":
    main(sys.argv[1:])
