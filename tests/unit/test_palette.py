"""The palette's two homes agree: assets/fieldops.css's custom properties and dashboard/core/palette.py."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard.core.palette import SEVERITY_COLORS, SPLIT_COLORS, STATE_COLORS, STATE_SHAPES

ASSETS = Path(__file__).resolve().parents[2] / "assets"


def _rules() -> list[tuple[str, dict[str, str]]]:
    """(selector, custom properties) of every innermost CSS rule in fieldops.css."""
    css = re.sub(r"/\*.*?\*/", "", (ASSETS / "fieldops.css").read_text(), flags=re.DOTALL)
    return [
        (selector.strip(), dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+?)\s*(?:;|$)", body)))
        for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    ]


def _root_colours(prefix: str) -> dict[str, str]:
    found = {}
    for selector, properties in _rules():
        if selector == ":root":
            found.update(
                {
                    name.removeprefix(prefix): value.lower()
                    for name, value in properties.items()
                    if name.startswith(prefix)
                }
            )
    return found


def test_css_state_colours_are_the_palettes():
    assert _root_colours("--state-") == {state: colour.lower() for state, colour in STATE_COLORS.items()}


def test_css_time_split_colours_are_the_palettes():
    assert _root_colours("--split-") == {part: colour.lower() for part, colour in SPLIT_COLORS.items()}


def test_css_alert_severity_colours_are_the_palettes():
    assert _root_colours("--severity-") == {level: colour.lower() for level, colour in SEVERITY_COLORS.items()}


def test_a_theme_overrides_only_colours_the_palette_has():
    for selector, properties in _rules():
        for name in properties:
            if name.startswith("--state-"):
                assert name.removeprefix("--state-") in STATE_COLORS, f"{selector} sets unknown {name}"
            if name.startswith("--split-"):
                assert name.removeprefix("--split-") in SPLIT_COLORS, f"{selector} sets unknown {name}"


def test_no_script_keeps_its_own_copy_of_the_state_colours():
    copy = re.compile(r"\b(?:moving|visit|idle|offline)\s*:\s*[\"']#[0-9a-fA-F]{3,6}")
    for script in ASSETS.glob("*.js"):
        assert not copy.search(script.read_text()), f"{script.name} holds state colours; use fieldops.palette"


def test_every_state_has_one_shape_in_both_homes_and_a_legend_class():
    """The map's markers (assets/palette.js) and the legends (.fo-shape-*) show a state without colour too."""
    script = (ASSETS / "palette.js").read_text()
    in_script = dict(re.findall(r"(\w+): \"(\w+)\"", re.search(r"STATE_SHAPES = \{([^}]*)\}", script).group(1)))
    assert in_script == STATE_SHAPES
    assert set(STATE_SHAPES) == set(STATE_COLORS)
    assert len(set(STATE_SHAPES.values())) == len(STATE_SHAPES)  # no two states look alike
    selectors = " ".join(selector for selector, _properties in _rules())
    for shape in STATE_SHAPES.values():
        assert f".fo-shape-{shape}" in selectors, f"no legend class for {shape}"
