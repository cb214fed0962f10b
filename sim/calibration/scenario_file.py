"""Calibrated scenario files: the base scenario's text with the calibrated values set, a header saying
where they come from, and a provenance line (JSON in a comment, so the config does not see it) that
reports can read as data: ``# calibration: {...}``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Mapping, Sequence

from sim.calibration.spec import SCENARIO_DIR, Param

PROVENANCE = "# calibration: "


def format_value(value: float, decimals: int) -> str:
    """A YAML number without exponent (PyYAML would read '5e+04' as text), rounded to ``decimals``.

    >>> format_value(0.000123456, 7), format_value(2.5, 3), format_value(3.0, 0)
    ('0.0001235', '2.5', '3.0')
    """
    v = round(float(value), decimals)
    if decimals <= 0:
        return f"{v:.1f}"
    text = f"{v:.{decimals}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def set_line(lines: list[str], groups: Sequence[str], name: str, entry: str) -> None:
    """Put ``entry`` (the line ``name: value``) into the nested block ``groups`` of a YAML file's lines,
    replacing ``name`` there, or adding the block and the line where they are missing."""
    start, end = 0, len(lines)
    for depth, group in enumerate(groups):
        head = f"{'  ' * depth}{group}:"
        found = next((i for i in range(start, end) if lines[i].rstrip() == head), None)
        if found is None:
            lines[end:end] = [f"{'  ' * d}{g}:" for d, g in enumerate(groups[depth:], start=depth)] + [entry]
            return
        start = found + 1
        end = start
        inner = "  " * (depth + 1)
        while end < len(lines) and (lines[end].startswith(inner) or not lines[end].strip()):
            end += 1
    indent = "  " * len(groups)
    for i in range(start, end):
        if re.match(rf"{indent}{re.escape(name)}:", lines[i]):
            lines[i] = entry
            return
    lines.insert(end, entry)


def render_scenario(base_text: str, base_name: str, new_name: str, values: Mapping[str, float],
                    params: Sequence[Param], header: Sequence[str], comments: Mapping[str, str],
                    provenance: dict | None = None) -> str:
    """The base scenario file with ``values`` set: its keys and comments kept, a header comment (and the
    provenance line) after '# @package _global_', scenario.name renamed, each value put into its group."""
    lines = base_text.rstrip("\n").split("\n")
    if not lines or lines[0].strip() != "# @package _global_":
        raise ValueError("a scenario file must start with '# @package _global_'")
    head = [f"# {h}" if h else "#" for h in header]
    if provenance is not None:
        head.append(PROVENANCE + json.dumps(provenance, sort_keys=True, ensure_ascii=True))
    lines = [lines[0], *head, *lines[1:]]
    text = "\n".join(lines)
    text, n = re.subn(rf"(?m)^(scenario:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:[ \t]*){re.escape(base_name)}\b",
                      rf"\g<1>{new_name}", text + "\n")
    if n != 1:
        raise ValueError(f"could not find 'scenario.name: {base_name}' in the base scenario")
    lines = text.rstrip("\n").split("\n")
    decimals = {p.key: p.decimals for p in params}
    for key, value in values.items():
        *groups, name = key.split(".")
        entry = f"{'  ' * len(groups)}{name}: {format_value(value, decimals.get(key, 6))}"
        entry = f"{entry:<31}# {comments[key]}" if comments.get(key) else entry
        set_line(lines, groups, name, entry)
    return "\n".join(lines) + "\n"


def provenance(path: str | Path) -> dict | None:
    """The provenance record of a calibrated scenario file (JSON in its '# calibration: ' line), or None.
    Read as data: a damaged line gives None."""
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(PROVENANCE):
                    data = json.loads(line[len(PROVENANCE):])
                    return data if isinstance(data, dict) else None
                if not line.startswith("#"):
                    return None
    except (OSError, ValueError):
        return None
    return None


def scenario_provenance(name: str) -> dict | None:
    """The provenance of configs/scenario/<name>.yaml, or None if it is not a calibrated scenario."""
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", str(name)):
        return None
    return provenance(SCENARIO_DIR / f"{name}.yaml")


def summary_sentence(prov: dict, lang: str = "en") -> str:
    """'calibrated to A, B (run main); held-out pattern X reproduced within its range, Y not.'"""
    fitted = ", ".join(prov.get("fitted") or [])          # pattern names: configs/patterns/<name>.yaml
    held = prov.get("held_out") or {}
    yes = [k for k, v in held.items() if v == "yes"]
    no = [k for k, v in held.items() if v != "yes"]
    if lang == "de":
        text = f"kalibriert an den Mustern {fitted} (Lauf {prov.get('run', '?')} vom {prov.get('date', '')})"
        if yes:
            text += f"; nicht zur Kalibrierung verwendete Muster im beobachteten Bereich wiedergegeben: {', '.join(yes)}"
        if no:
            text += f"; nicht wiedergegeben: {', '.join(no)}"
        return text + "."
    text = f"calibrated to {fitted} (run {prov.get('run', '?')}, {prov.get('date', '')})"
    if yes:
        text += f"; held-out pattern{'s' if len(yes) > 1 else ''} {', '.join(yes)} reproduced within "\
                f"{'their' if len(yes) > 1 else 'its'} range"
    if no:
        text += f"; not reproduced: {', '.join(no)}"
    return text + "."


def base_text(name: str) -> str:
    return (SCENARIO_DIR / f"{name}.yaml").read_text(encoding="utf-8")
