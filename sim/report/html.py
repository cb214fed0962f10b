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
