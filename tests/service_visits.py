"""A done visit with a filled form, for the service report tests (issue 21): a form with a section shown by a
yes/no, a number with its unit, a choice, a part from the catalogue, a photo and a drawn signature."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta

import orjson
from PIL import Image, ImageDraw

from data import forms
from tests.pictures import encoded, scene

FIELDS = [
    {"id": "reading", "type": "number", "label": {"en": "Meter reading", "zh-CN": "电表读数"}, "unit": "kWh"},
    {
        "id": "state",
        "type": "choice",
        "label": {"en": "Condition", "zh-CN": "状况"},
        "options": [{"value": "ok", "label": {"en": "Working", "zh-CN": "正常"}}, "broken"],
    },
    {"id": "replaced", "type": "yesno", "label": {"en": "Filter replaced", "zh-CN": "更换滤网"}, "required": True},
    {
        "id": "replacement",
        "type": "section",
        "label": {"en": "Replacement", "zh-CN": "更换"},
        "show_if": {"field": "replaced", "equals": True},
    },
    {"id": "used", "type": "parts", "label": {"en": "Parts used", "zh-CN": "所用配件"}},
    {"id": "serial", "type": "barcode", "label": {"en": "Serial number", "zh-CN": "序列号"}},
    {
        "id": "after",
        "type": "section",
        "label": {"en": "Hidden", "zh-CN": "隐藏"},
        "show_if": {"field": "state", "equals": "broken"},
    },
    {"id": "why", "type": "text", "label": {"en": "Why broken", "zh-CN": "故障原因"}},
    {"id": "closing", "type": "section", "label": {"en": "Sign-off", "zh-CN": "签收"}},
    {"id": "photo", "type": "photo", "label": {"en": "Photo of the unit", "zh-CN": "设备照片"}},
    {"id": "sign", "type": "signature", "label": {"en": "Signature", "zh-CN": "签名"}, "required": True},
]


def signature_png() -> bytes:
    """A drawn signature as the phone's canvas sends it: black strokes on white."""
    picture = Image.new("RGB", (600, 200), "white")
    draw = ImageDraw.Draw(picture)
    draw.line([(40, 150), (120, 40), (170, 160), (260, 50), (330, 150), (420, 70), (560, 120)], fill="black", width=6)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def _file(db, task_id: int, field_id: str, kind: str, data: bytes, at: datetime) -> int:
    return db.fetch_one(
        """INSERT INTO form_files (task_id, field_id, content_type, bytes, sha256, created_at)
           VALUES (%s, %s, %s, %s, %s, %s) RETURNING id""",
        (task_id, field_id, kind, data, hashlib.sha256(data).hexdigest(), at),
    )["id"]


def done_visit(rt, customer_id: int, employee_id: int, at: datetime, kind: str = "repair") -> int:
    """A task at the customer done at `at` after 42 minutes on site, its visit, notes, form answers and files."""
    form = forms.current(rt.db, kind) or forms.create_version(rt.db, kind, "Boiler service", FIELDS, True, None, at)
    part = next((p for p in forms.parts(rt.db) if p["code"] == "F-100"), None) or forms.add_part(
        rt.db, "F-100", "Air filter", "pcs"
    )
    start = at - timedelta(minutes=42)
    task_id = rt.db.fetch_one(
        """INSERT INTO tasks (customer_id, employee_id, kind, state, notes, arrived_at, departed_at)
           VALUES (%s, %s, %s, 'done', 'Yearly service of the boiler', %s, %s) RETURNING id""",
        (customer_id, employee_id, kind, start, at),
    )["id"]
    rt.db.execute(
        """INSERT INTO task_events (task_id, from_state, to_state, employee_id, at)
           VALUES (%s, 'on_site', 'done', %s, %s)""",
        (task_id, employee_id, at),
    )
    visit = rt.db.fetch_one(
        """INSERT INTO activities (employee_id, customer_id, task_id, kind, started_at, ended_at, source)
           VALUES (%s, %s, %s, 'visit', %s, %s, 'mobile') RETURNING id""",
        (employee_id, customer_id, task_id, start, at),
    )["id"]
    rt.db.execute(
        """INSERT INTO activities (employee_id, customer_id, kind, started_at, notes, source, visit_id)
           VALUES (%s, %s, 'note', %s, 'Cleaned the burner and replaced the filter', 'mobile', %s)""",
        (employee_id, customer_id, start + timedelta(minutes=30), visit),
    )
    photo = _file(rt.db, task_id, "photo", "image/jpeg", encoded(scene("discs")), at)
    sign = _file(rt.db, task_id, "sign", "image/png", signature_png(), at)
    answers = {
        "reading": 1234.5,
        "state": "ok",
        "replaced": True,
        "used": [{"part": part["id"], "qty": 2}],
        "serial": "SN-778899",
        "why": "not shown",
        "photo": [photo],
        "sign": sign,
    }
    rt.db.execute(
        """INSERT INTO form_answers (task_id, form_id, employee_id, answers, complete, submitted_at, updated_at)
           VALUES (%s, %s, %s, %s::jsonb, true, %s, %s)""",
        (task_id, form["id"], employee_id, orjson.dumps(answers).decode(), at, at),
    )
    return task_id
