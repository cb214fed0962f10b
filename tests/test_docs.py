"""The documentation stays true to the code: every parameter appears in the ODD's parameter table."""

from pathlib import Path

from sim.config import iter_params

ROOT = Path(__file__).resolve().parents[1]


def test_every_model_parameter_is_in_the_odd_table():
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    missing = [key for key, _ in iter_params() if not key.startswith("output.") and f"`{key}`" not in odd]
    assert missing == []
