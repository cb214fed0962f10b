"""The parameter table of docs/ODD.md, from the defaults of sim.config.Config() (key, default, unit, range, source).

    .venv/bin/python scripts/param_table.py                      # print the table
    .venv/bin/python scripts/param_table.py --write docs/ODD.md  # replace the table between its markers

Every parameter is listed under its dotted key, nested groups included (``needs.water.idea_rate``), and so
are the groups that components declare beside themselves (``Params``, sim/components.py);
``output.*`` is left out (it says where results go, not how the model works).
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.config import Config, describe_range, iter_params, to_dict

BEGIN, END = "<!-- BEGIN param-table (scripts/param_table.py) -->", "<!-- END param-table -->"


def cell(text: str) -> str:
    """Text that cannot break a Markdown table row."""
    return str(text).replace("|", "/").replace("\n", " ")


def rows() -> list[str]:
    from sim.components import load

    load()                                   # components' own parameter groups (sim/components.py) included
    defaults = to_dict(Config())
    out = ["| key | default | unit | range | source |", "|---|---|---|---|---|"]
    for key, f in iter_params():
        if key.startswith("output."):
            continue
        value = defaults
        for part in key.split("."):
            value = value[part]
        m = f.metadata
        bounded = m.get("low") is not None or m.get("high") is not None
        allowed = describe_range({**m, "unit": ""}) if bounded else " / ".join(m.get("choices") or ())
        if m.get("registry"):
            allowed = f"a registered {m['registry']} (python -m sim list)"
        out.append(f"| `{key}` | {cell(repr(value))} | {cell(m.get('unit', ''))} | {cell(allowed)} | {cell(m['source'])} |")
    return out


def write(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{path}: markers not found; put {BEGIN!r} and {END!r} around the table")
    table = "\n".join(rows())
    path.write_text(text[: start + len(BEGIN)] + "\n" + table + "\n" + text[end:], encoding="utf-8")


def main(argv: list[str]) -> None:
    if argv[:1] == ["--write"] and len(argv) == 2:
        write(Path(argv[1]))
    elif not argv:
        print("\n".join(rows()))
    else:
        raise SystemExit(__doc__.strip())


if __name__ == "__main__":
    main(sys.argv[1:])
