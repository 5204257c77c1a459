"""The colours that mean something: a person's state on the map, where tracked time went, chart series.

One truth in two homes: the browser reads the same values from the CSS custom properties in
assets/fieldops.css (`--state-*`, `--split-*`, `--severity-*`); tests/unit/test_palette.py fails if the two differ.
A state also has a shape, so it shows without colour (WCAG 1.4.1): assets/palette.js draws the map's
markers with STATE_SHAPES and the legends use the CSS classes `.fo-shape-*`.
"""

from __future__ import annotations

# Okabe-Ito: distinguishable by colour-blind viewers.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
VERMILION = "#D55E00"
YELLOW = "#F0E442"
BLACK = "#000000"
GREY = "#8c8c8c"

STATE_COLORS = {"moving": GREEN, "visit": BLUE, "idle": ORANGE, "offline": GREY}
STATE_SHAPES = {"moving": "triangle", "visit": "square", "idle": "diamond", "offline": "circle"}
# An alert's severity (issue 17): never by colour alone, always with its word and its mark's shape.
SEVERITY_COLORS = {"info": BLUE, "warning": ORANGE, "critical": VERMILION}
SPLIT_COLORS = {"visit": BLUE, "travel": GREEN, "idle": ORANGE, "outside": VERMILION}
# ColorBrewer YlOrRd in 8 bands, for every heatmap (dashboard/analytics/scales.py): the higher, the redder.
HEAT_COLORS = ["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"]
CHART_COLORS = [BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILION, YELLOW, BLACK]
