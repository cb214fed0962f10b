"""Print the parameter table of docs/ODD.md from sim/config.py (key, default, unit, range, source).

    .venv/bin/python scripts/param_table.py > /tmp/table.md    # then paste it into docs/ODD.md
"""

from sim.config import describe_range, iter_params


def main() -> None:
    print("| key | default | unit | range | source |")
    print("|---|---|---|---|---|")
    for key, f in iter_params():
        if key.startswith("output."):
            continue
        m = f.metadata
        default = f.default if f.default_factory is __import__("dataclasses").MISSING else f.default_factory()
        rng = describe_range({**m, "unit": ""}) if (m.get("low") is not None or m.get("high") is not None) else (
            " / ".join(m["choices"]) if m.get("choices") else "")
        source = m["source"].replace("|", "/")
        print(f"| `{key}` | {default!r} | {m.get('unit', '')} | {rng} | {source} |")


if __name__ == "__main__":
    main()
