"""Visit form definitions and answers (dashboard/work/form_defs.py): what a form may hold, which fields a set of
answers shows, what is still missing, and which answers are not of their field's kind."""

import pytest

from dashboard.work.form_defs import FormError, answer_problems, missing, parse_definition, shown

REPAIR = [
    {"id": "reading", "type": "number", "label": {"en": "Meter reading", "zh-CN": "读数"}, "unit": "kWh", "min": 0,
     "max": 1000, "required": True},
    {"id": "replaced", "type": "yesno", "label": "Part replaced?", "required": True},
    {"id": "parts_section", "type": "section", "label": "Parts", "show_if": {"field": "replaced", "equals": True}},
    {"id": "parts", "type": "parts", "label": "Parts used", "required": True},
    {"id": "serial", "type": "barcode", "label": "Serial number", "required": True},
    {"id": "end", "type": "section", "label": "Sign-off"},
    {"id": "checks", "type": "multi", "label": "Checks", "options": ["seal", "pressure", {"value": "leak",
     "label": {"en": "Leak test", "zh-CN": "泄漏测试"}}]},
    {"id": "photo", "type": "photo", "label": "Photo", "required": True},
    {"id": "signature", "type": "signature", "label": "Customer's signature", "required": True},
]  # fmt: skip


def test_a_section_hides_its_fields_until_its_condition_holds():
    fields = parse_definition(REPAIR)
    hidden = {f.id for f in fields} - {f.id for f in shown(fields, {"replaced": False})}
    assert hidden == {"parts_section", "parts", "serial"}
    assert {f.id for f in shown(fields, {"replaced": True})} == {f.id for f in fields}


def test_missing_names_only_required_questions_that_are_shown():
    fields = parse_definition(REPAIR)
    assert [f.id for f in missing(fields, {"replaced": False})] == ["reading", "photo", "signature"]
    done = {"reading": 12.5, "replaced": True, "parts": [{"part": 1, "qty": 2}], "serial": "SN-1",
            "photo": [3], "signature": 4}  # fmt: skip
    assert missing(fields, done) == []
    assert [f.id for f in missing(fields, {**done, "serial": ""})] == ["serial"]


def test_labels_fall_back_to_the_first_language_given():
    fields = {f.id: f for f in parse_definition(REPAIR)}
    assert fields["reading"].text("zh-CN") == "读数"
    assert fields["replaced"].text("zh-CN") == "Part replaced?"
    assert [o.label["zh-CN"] for o in fields["checks"].options if o.value == "leak"] == ["泄漏测试"]


def test_answers_not_of_their_kind_are_named_with_the_reason():
    fields = parse_definition(REPAIR)
    problems = answer_problems(
        fields,
        {"reading": 1001, "replaced": "yes", "parts": [{"part": 99, "qty": 1}], "checks": ["seal", "seal"],
         "photo": [], "signature": True, "nope": 1, "serial": "x" * 201},
        part_ids={1, 2},
    )  # fmt: skip
    assert set(problems) == {"reading", "replaced", "parts", "checks", "signature", "nope", "serial"}
    assert "1000" in problems["reading"]
    ok = {"reading": 0, "replaced": False, "parts": [{"part": 2, "qty": 0.5}], "checks": ["leak"], "photo": [7]}
    assert answer_problems(fields, ok, part_ids={1, 2}) == {}


@pytest.mark.parametrize(
    ("definition", "field"),
    [
        ([{"id": "a", "type": "text", "label": "A"}, {"id": "a", "type": "text", "label": "B"}], "a"),
        ([{"id": "a", "type": "clock", "label": "A"}], "a"),
        ([{"id": "a", "type": "choice", "label": "A", "options": []}], "a"),
        ([{"id": "a", "type": "number", "label": "A", "min": 5, "max": 1}], "a"),
        ([{"id": "a", "type": "text", "label": "A", "show_if": {"field": "b", "equals": 1}},
          {"id": "b", "type": "yesno", "label": "B"}], "a"),
        ([{"id": "a", "type": "text", "label": ""}], "a"),
    ],
)  # fmt: skip
def test_a_faulty_definition_is_refused_naming_the_field(definition, field):
    with pytest.raises(FormError) as refused:
        parse_definition(definition)
    assert refused.value.field == field


def test_a_form_of_sections_alone_or_of_nothing_is_refused():
    for definition in ([], [{"id": "s", "type": "section", "label": "S"}], "fields"):
        with pytest.raises(FormError):
            parse_definition(definition)
