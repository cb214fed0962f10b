"""A seeded run must reproduce its pinned summary; see tests/golden.py to re-pin after an intended change."""

import json
import math

from tests.golden import PINNED, current


def test_golden_baseline_summary_is_unchanged():
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    now = current()
    assert set(now) == set(pinned), "the summary's keys changed: re-pin with `make baseline` if intended"
    changed = {k: (pinned[k], now[k]) for k in pinned
               if not (pinned[k] is None and now[k] is None)
               and (pinned[k] is None or now[k] is None or not math.isclose(pinned[k], now[k], rel_tol=1e-9))}
    assert changed == {}, f"changed (pinned, now): {changed}; re-pin with `make baseline` if intended"
