"""The form builder's boxes (issue 21) without a server: what an admin types becomes the JSON parse_definition
checks, and a stored field goes back into the same boxes."""

from __future__ import annotations

from dashboard.work.form_builder import boxes_of, field_from_boxes
from dashboard.work.form_defs import parse_definition, shown

EMPTY = {"required": [], "unit": "", "min": None, "max": None, "show_field": None, "show_value": "", "options": ""}


def _boxes(**values) -> dict:
    return EMPTY | {"label_zh": ""} | values


def test_a_section_shown_by_a_yes_no_is_built_from_the_boxes():
    replaced = field_from_boxes(_boxes(type="yesno", id="replaced", label_en="Replaced", required=["yes"]), [])
    section = field_from_boxes(
        _boxes(type="section", id="swap", label_en="Swap", label_zh="更换", show_field="replaced", show_value="yes"),
        [replaced],
    )
    reading = field_from_boxes(
        _boxes(type="number", id="reading", label_en="Reading", unit="kWh", min=0, max=99999), [replaced, section]
    )
    assert section == {
        "id": "swap",
        "type": "section",
        "label": {"en": "Swap", "zh-CN": "更换"},
        "show_if": {"field": "replaced", "equals": True},
    }
    assert reading["unit"] == "kWh" and (reading["min"], reading["max"]) == (0, 99999)
    fields = parse_definition([replaced, section, reading])
    assert [f.id for f in shown(fields, {"replaced": False})] == ["replaced"]
    assert [f.id for f in shown(fields, {"replaced": True})] == ["replaced", "swap", "reading"]


def test_options_are_written_one_a_line_with_their_labels():
    field = field_from_boxes(
        _boxes(type="choice", id="state", label_en="State", options="ok = Working = 正常\nbroken\n"), []
    )
    assert field["options"] == [{"value": "ok", "label": {"en": "Working", "zh-CN": "正常"}}, "broken"]
    assert boxes_of(field)["options"] == "ok = Working = 正常\nbroken"


def test_a_condition_on_a_number_compares_a_number():
    count = {"id": "count", "type": "number", "label": "Count"}
    field = field_from_boxes(_boxes(type="text", id="why", label_en="Why", show_field="count", show_value="3"), [count])
    assert field["show_if"] == {"field": "count", "equals": 3}


def test_a_stored_field_goes_back_into_the_boxes():
    stored = {
        "id": "swap",
        "type": "section",
        "label": {"en": "Swap", "zh-CN": "更换"},
        "show_if": {"field": "replaced", "equals": False},
    }
    boxes = boxes_of(stored)
    assert (boxes["label_en"], boxes["label_zh"], boxes["show_field"], boxes["show_value"]) == (
        "Swap",
        "更换",
        "replaced",
        "no",
    )
    assert field_from_boxes(boxes, [{"id": "replaced", "type": "yesno"}]) == stored


def test_boxes_of_a_hostile_field_are_empty_not_an_error():
    assert boxes_of({"label": 5, "options": 7, "show_if": [1]})["options"] == ""
