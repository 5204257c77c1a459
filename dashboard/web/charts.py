"""The FieldOps Plotly template and the chart builders the analytics pages share."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from dashboard.core.i18n import current_language
from dashboard.core.palette import CHART_COLORS

pio.templates["fieldops"] = go.layout.Template(
    layout=go.Layout(
        font={"family": "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', sans-serif", "size": 12},
        colorway=CHART_COLORS,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        margin={"l": 48, "r": 16, "t": 36, "b": 40},
        xaxis={"gridcolor": "#eef0f2", "zeroline": False},
        yaxis={"gridcolor": "#eef0f2", "zeroline": False},
        legend={"orientation": "h", "y": -0.2},
        title={"font": {"size": 14}, "x": 0.01},
    )
)


def chart_config() -> dict:
    """Every dcc.Graph's config: no mode bar; Plotly's locale (month names, hover dates) in the viewer's language."""
    return {"displayModeBar": False, "locale": current_language()}


def figure(title: str, height: int = 260) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template="fieldops", title=title, height=height)
    return fig


def empty(title: str, message: str, height: int = 260) -> go.Figure:
    fig = figure(title, height)
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def target_line(fig: go.Figure, value: float | None, label: str) -> None:
    if value is not None:
        fig.add_hline(y=value, line_dash="dash", line_color="#55606b", annotation_text=label)
