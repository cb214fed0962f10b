"""Print the parameter table of docs/ODD.md from sim/config.py (key, default, unit, range, source).

    .venv/bin/python scripts/param_table.py > /tmp/table.md    # then paste it into docs/ODD.md
"""

from sim.config import Config, describe_range, iter_params, to_dict


def main() -> None:
    defaults = to_dict(Config())
    print("| key | default | unit | range | source |")
    print("|---|---|---|---|---|")
    for key, f in iter_params():
        if key.startswith("output."):
            continue
        value = defaults
        for part in key.split("."):
            value = value[part]
        m = f.metadata
        bounded = m.get("low") is not None or m.get("high") is not None
        allowed = describe_range({**m, "unit": ""}) if bounded else " / ".join(m.get("choices") or ())
        print(f"| `{key}` | {value!r} | {m.get('unit', '')} | {allowed} | {m['source'].replace('|', '/')} |")


if __name__ == "__main__":
    main()
