"""A self-contained HTML page: inline CSS, figures embedded as base64 PNG, tables as HTML."""

from __future__ import annotations

import base64
import html
import io

import matplotlib.pyplot as plt

CSS = """
body { font-family: "Segoe UI", Arial, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; line-height: 1.45; }
h1 { font-size: 2em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 2px solid #0072B2; padding-bottom: 0.2em; }
.meta { color: #555; } .sentences li { margin: 0.4em 0; font-size: 1.1em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.95em; } th, td { padding: 0.35em 0.8em; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; } th { background: #f2f5f8; }
img { max-width: 100%; margin: 0.5em 0; } footer { margin-top: 3em; color: #777; font-size: 0.9em; }
.headline { border: 3px solid #0072B2; border-radius: 6px; padding: 0.4em 1.2em 0.8em; background: #f5f9fc; }
.headline h2 { border: none; margin-top: 0.4em; } .headline li { font-size: 1.2em; margin: 0.5em 0; list-style: none; }
.headline ul { padding-left: 0; } .tag { display: inline-block; min-width: 7em; padding: 0.05em 0.5em; border-radius: 4px;
  color: #fff; font-weight: bold; font-size: 0.85em; text-align: center; margin-right: 0.4em; }
.tag.better { background: #009E73; } .tag.worse { background: #D55E00; } .tag.none { background: #777; }
.tag.cost { background: #E69F00; color: #222; } dt { font-weight: bold; margin-top: 0.6em; } dd { margin-left: 1.2em; }
table.towns td, table.settings td { font-size: 0.9em; }
@media print { body { max-width: none; margin: 1cm; } h2 { break-after: avoid; } img { break-inside: avoid; } }
"""


def figure_tag(fig: plt.Figure, alt: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def table(header: list[str], rows: list[list[str]], css_class: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def page(title: str, lang: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{body}</body></html>\n")
