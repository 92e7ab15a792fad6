"""Figures drawn as plain SVG text (no plotting library, no external files).

Each figure is an :class:`SvgFigure`: the SVG markup as a ``str`` (for HTML) that also carries the numbers it
was drawn from, so other renderers (the docx PNGs of :mod:`bctcoder.report.figure_png`) draw the same figure.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

PALETTE = ["#1f6fb2", "#e07b24", "#3a9b54", "#b23a48", "#7a5bb0", "#8c6d31"]


class SvgFigure(str):
    """SVG markup (a plain ``str`` everywhere a string is expected) plus ``kind`` and the ``data`` drawn."""

    kind: str
    data: dict[str, Any]

    def __new__(cls, markup: str, kind: str = "", data: dict[str, Any] | None = None) -> SvgFigure:
        obj = super().__new__(cls, markup)
        obj.kind = kind
        obj.data = data or {}
        return obj


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def heatmap(matrix: pd.DataFrame, roles: dict[str, str], *, only_evidenced: bool = True,
            max_rows: int = 120, max_cases: int = 150) -> SvgFigure:
    """Technique × case heatmap: one row per technique, one column per case (grouped by role), shaded by
    the number of quotes. ``matrix`` is :func:`analysis.crosscase.matrix` with counts."""
    cases = [c for c in matrix.columns if c not in ("id", "label", "group_id", "group_label")]
    if len(cases) > max_cases:  # keep the figure readable: the cases with the most evidence
        totals = matrix[cases].sum(axis=0).sort_values(ascending=False, kind="stable")
        keep = set(totals.index[:max_cases])
        cases = [c for c in cases if c in keep]
    frame = matrix
    if only_evidenced and cases:
        frame = frame[frame[cases].sum(axis=1) > 0]
    frame = frame.head(max_rows)
    cell, left, top = 16, 300, 110
    width = max(left + cell * max(len(cases), 1) + 20, 720)
    height = top + cell * max(len(frame), 1) + 40
    peak = max(1, int(frame[cases].to_numpy().max())) if len(frame) and cases else 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="Heatmap of techniques by case" font-family="sans-serif" font-size="10">']
    for j, case in enumerate(cases):
        x = left + j * cell + cell / 2
        colour = PALETTE[sorted(set(roles.values())).index(roles[case]) % len(PALETTE)] if case in roles else "#333"
        out.append(f'<text x="{x}" y="{top - 6}" transform="rotate(-60 {x} {top - 6})" fill="{colour}">'
                   f'{_esc(case)}</text>')
    for i, (_, row) in enumerate(frame.iterrows()):
        y = top + i * cell
        label = f"{row['id']} {row['label']}"
        out.append(f'<text x="{left - 6}" y="{y + cell - 4}" text-anchor="end">{_esc(label[:48])}</text>')
        for j, case in enumerate(cases):
            n = int(row[case])
            shade = 0 if n == 0 else 0.25 + 0.75 * n / peak
            fill = "#f1f1f3" if n == 0 else f"rgba(31,111,178,{shade:.2f})"
            out.append(f'<rect x="{left + j * cell}" y="{y}" width="{cell - 1}" height="{cell - 1}" fill="{fill}">'
                       f'<title>{_esc(label)} — {_esc(case)}: {n} quote(s)</title></rect>')
    if not len(frame):
        out.append(f'<text x="{left}" y="{top + 12}">No evidence yet.</text>')
    legend_y = height - 14
    legend = [f'<text x="{left}" y="{legend_y}">darker = more quotes (max {peak}); case names coloured by role:']
    for k, role in enumerate(sorted(set(roles.values()))):
        legend.append(f'<tspan fill="{PALETTE[k % len(PALETTE)]}"> {_esc(role)}</tspan>')
    out.append("".join(legend) + "</text>")
    out.append("</svg>")
    data = {"cases": list(map(str, cases)), "roles": {str(c): roles[c] for c in cases if c in roles}, "peak": peak,
            "rows": [(f"{row['id']} {row['label']}", [int(row[c]) for c in cases]) for _, row in frame.iterrows()]}
    return SvgFigure("".join(out), "heatmap", data)


def group_bars(groups: pd.DataFrame, values: list[str]) -> SvgFigure:
    """Grouped horizontal bars: for each taxonomy group, the share of its techniques evidenced per value."""
    bar, gap, left, top = 9, 8, 260, 30
    n = len(groups)
    per = bar * max(len(values), 1) + gap
    width, height = left + 420, top + per * max(n, 1) + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="Share of techniques evidenced per group" font-family="sans-serif" font-size="11">']
    for k, value in enumerate(values):
        out.append(f'<rect x="{left + k * 110}" y="6" width="10" height="10" fill="{PALETTE[k % len(PALETTE)]}"/>'
                   f'<text x="{left + k * 110 + 14}" y="15">{_esc(value)}</text>')
    scale = 360
    for i, (_, g) in enumerate(groups.iterrows()):
        y = top + i * per
        out.append(f'<text x="{left - 6}" y="{y + per / 2}" text-anchor="end">{_esc(g["id"])} '
                   f'{_esc(str(g["label"])[:34])}</text>')
        for k, value in enumerate(values):
            share = (g[value] / g["total"]) if g["total"] else 0
            out.append(f'<rect x="{left}" y="{y + k * bar}" width="{scale * share:.1f}" height="{bar - 1}" '
                       f'fill="{PALETTE[k % len(PALETTE)]}"><title>{_esc(value)}: {int(g[value])} of '
                       f'{int(g["total"])}</title></rect>')
    out.append(f'<line x1="{left}" y1="{top - 4}" x2="{left}" y2="{height - 24}" stroke="#999"/>')
    for t in (0, 0.5, 1):
        x = left + scale * t
        out.append(f'<text x="{x}" y="{height - 8}" text-anchor="middle">{int(t * 100)}%</text>')
    out.append("</svg>")
    rows = [(f"{g['id']} {g['label']}", [int(g[v]) for v in values], int(g["total"])) for _, g in groups.iterrows()]
    return SvgFigure("".join(out), "group_bars", {"values": list(map(str, values)), "groups": rows})
