"""The report's figures as PNG images (for Word), drawn with matplotlib when it is installed.

matplotlib is not a dependency of bctcoder: without it :func:`figure_png` returns ``None`` and the docx
report says where the figures are (report.html). The numbers come from the :class:`~.figures.SvgFigure`
the HTML report draws, so both show the same figure.
"""

from __future__ import annotations

import io
from typing import Any

from bctcoder.report.figures import PALETTE

DPI = 200
WIDTH_IN = 6.3          # fits A4 and Letter portrait text width with 2 cm margins
MAX_HEIGHT_IN = 9.0


def matplotlib_available() -> bool:
    """True when matplotlib can be imported (figures in Word need it)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def figure_png(figure: str) -> bytes | None:
    """PNG bytes for an SvgFigure (``group_bars`` or ``heatmap``); ``None`` when matplotlib is missing or the
    figure carries no data."""
    kind = getattr(figure, "kind", "")
    data = getattr(figure, "data", None)
    if kind not in ("group_bars", "heatmap") or not data or not matplotlib_available():
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = _bars(Figure, data) if kind == "group_bars" else _heatmap(Figure, data)
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _bars(figure_cls: Any, data: dict[str, Any]) -> Any:
    values: list[str] = data["values"]
    groups: list[tuple[str, list[int], int]] = data["groups"]
    n, k = max(len(groups), 1), max(len(values), 1)
    height = min(MAX_HEIGHT_IN, 0.8 + n * (0.07 * k + 0.06))
    fig = figure_cls(figsize=(WIDTH_IN, height), layout="constrained")
    ax = fig.add_subplot()
    slot = 0.8 / k
    for j, value in enumerate(values):
        ys = [i + (j - (k - 1) / 2) * slot for i in range(len(groups))]
        shares = [100 * counts[j] / total if total else 0 for _, counts, total in groups]
        ax.barh(ys, shares, height=slot * 0.92, color=PALETTE[j % len(PALETTE)], label=value)
    ax.set_yticks(range(len(groups)), [_short(label, 40) for label, _, _ in groups], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("techniques of the group evidenced (%)", fontsize=7)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if values:
        ax.legend(fontsize=7, frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=k,
                  handlelength=1.2, borderaxespad=0.2)
    return fig


def _heatmap(figure_cls: Any, data: dict[str, Any]) -> Any:
    import numpy as np
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.ticker import MaxNLocator

    cases: list[str] = data["cases"]
    rows: list[tuple[str, list[int]]] = data["rows"]
    roles: dict[str, str] = data["roles"]
    peak = max(int(data.get("peak", 1)), 1)
    n_rows, n_cases = max(len(rows), 1), max(len(cases), 1)
    height = min(MAX_HEIGHT_IN, 1.4 + 0.15 * n_rows)
    width = min(WIDTH_IN, 3.4 + 0.22 * n_cases)
    fig = figure_cls(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    if not rows or not cases:
        ax.text(0.5, 0.5, "No evidence yet.", ha="center", va="center")
        ax.set_axis_off()
        return fig
    counts = np.array([r[1] for r in rows], dtype=float)
    shown = np.ma.masked_where(counts == 0, counts)
    cmap = LinearSegmentedColormap.from_list("quotes", ["#b8d3ea", PALETTE[0], "#0b3558"]).with_extremes(
        bad="#f1f1f3")
    image = ax.imshow(shown, cmap=cmap, vmin=1, vmax=max(peak, 2), aspect="auto", interpolation="nearest")
    ax.set_yticks(range(len(rows)), [_short(label, 48) for label, _ in rows], fontsize=6)
    ax.set_xticks(range(len(cases)), cases, fontsize=6, rotation=60, ha="right", rotation_mode="anchor")
    ordered = sorted(set(roles.values()))
    for tick, case in zip(ax.get_xticklabels(), cases):
        if case in roles:
            tick.set_color(PALETTE[ordered.index(roles[case]) % len(PALETTE)])
    ax.set_xticks(np.arange(-0.5, len(cases)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(rows)), minor=True)
    ax.grid(which="minor", color="white", linewidth=0.8)
    ax.tick_params(which="minor", length=0)
    ax.tick_params(which="major", length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=min(1.0, 2.0 / height), pad=0.02, aspect=12)
    bar.set_ticks(range(1, max(peak, 2) + 1) if peak <= 8 else MaxNLocator(integer=True).tick_values(1, peak))
    bar.set_label("quotes (blank = none)", fontsize=6)
    bar.ax.tick_params(labelsize=6)
    if ordered:
        ax.set_xlabel("cases, coloured by role: " + ", ".join(ordered), fontsize=6)
    return fig
