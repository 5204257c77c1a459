"""A done visit's service report (issue 21), as content: the customer, the task, the times on site, the work done,
every shown answer with its label, the photos and the signature, in one language. The PDF is laid out by
dashboard/reports/render/service.py; dashboard/reports/service_reports.py makes, keeps and e-mails it.

The report is in the organisation's language (FIELDOPS_LANGUAGE): customers have no language of their own, and
the form's labels are written in the organisation's languages."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageOps

from dashboard.core.i18n import _
from dashboard.core.runtime import Runtime
from dashboard.work.form_defs import Field, label_in, parse_definition, shown
from dashboard.work.lifecycle import kind_label
from data import service_reports

PHOTO_PIXELS = 1000  # a photo's longer side in the PDF: sharp at its printed size, not the phone's 8 MB


@dataclass
class Answer:
    label: str
    text: str = ""
    section: bool = False
    images: list[str] = field(default_factory=list)  # data: URIs
    parts: list[tuple[str, str, str]] = field(default_factory=list)  # code, name, quantity with unit
    signature: bool = False


@dataclass
class ServiceReport:
    task_id: int
    language: str
    title: str
    customer_name: str
    details: list[tuple[str, str]]
    notes: list[str]
    answers: list[Answer]
    labels: dict[str, str]


def report_content(rt: Runtime, task_id: int, language: str | None = None) -> ServiceReport | None:
    """The report of a task with answers; None for a task without any."""
    lang = language or rt.settings.language
    row = service_reports.visit_of(rt.db, task_id)
    if row is None:
        return None
    fields = parse_definition(row["fields"])
    answers = row["answers"] or {}
    files = service_reports.files_of(rt.db, task_id)
    part_ids = [p["part"] for f in fields if f.type == "parts" for p in answers.get(f.id) or [] if "part" in p]
    parts = service_reports.parts_named(rt.db, part_ids)
    notes = [n["notes"] for n in service_reports.work_notes(rt.db, task_id)]
    if row["notes"]:
        notes.insert(0, row["notes"])
    details = [
        (_("Customer", lang), row["customer_name"]),
        (_("Address", lang), row["address"] or "—"),
        (_("Task", lang), f"#{task_id} · {kind_label(row['kind'], lang)}"),
        (_("Done by", lang), row["employee_name"] or "—"),
        (_("On site", lang), _on_site(rt, row)),
        (_("Form", lang), _("{title}, version {version}", lang, title=row["form_title"], version=row["form_version"])),
    ]
    return ServiceReport(
        task_id=task_id,
        language=lang,
        title=_("Service report", lang),
        customer_name=row["customer_name"],
        details=details,
        notes=notes,
        answers=[_answer(f, answers.get(f.id), lang, files, parts) for f in shown(fields, answers)],
        labels={
            "work": _("Work done", lang),
            "answers": _("Answers to the form", lang),
            "no_notes": _("No notes were written.", lang),
            "signature": _("Customer's signature", lang),
            "page": _("Page", lang),
        },
    )


def _on_site(rt: Runtime, row: dict) -> str:
    start, end = row["on_site_from"], row["on_site_until"] or row["done_at"]
    if start is None:
        return rt.local(end) or "—"
    if end is None:
        return rt.local(start)
    same_day = rt.local(start, "%Y-%m-%d") == rt.local(end, "%Y-%m-%d")
    minutes = max(0, round((end - start).total_seconds() / 60))
    return f"{rt.local(start)}–{rt.local(end, '%H:%M' if same_day else '%Y-%m-%d %H:%M')} ({minutes} min)"


def _answer(f: Field, value: Any, lang: str, files: dict[int, dict], parts: dict[int, dict]) -> Answer:
    label = f.text(lang)
    if f.type == "section":
        return Answer(label, section=True)
    if value is None or value in ("", []):
        return Answer(label, "—")
    match f.type:
        case "number":
            return Answer(label, f"{value:g}" + (f" {f.unit}" if f.unit else ""))
        case "yesno":
            return Answer(label, _("Yes", lang) if value else _("No", lang))
        case "choice" | "multi":
            chosen = value if isinstance(value, list) else [value]
            names = {o.value: label_in(o.label, lang) for o in f.options}
            return Answer(label, ("、" if lang == "zh-CN" else ", ").join(names.get(v, str(v)) for v in chosen))
        case "photo":
            return Answer(label, images=[i for i in (_image(files.get(v)) for v in value) if i])
        case "signature":
            image = _image(files.get(value))
            return Answer(label, "—" if image is None else "", images=[image] if image else [], signature=True)
        case "parts":
            rows = []
            for item in value:
                part = parts.get(item.get("part"))
                if part is not None:
                    rows.append((part["code"], part["name"], f"{item['qty']:g} {part['unit']}"))
            return Answer(label, parts=rows)
    return Answer(label, str(value))


def _image(row: dict | None) -> str | None:
    """A form file as a data: URI, a photo scaled down to PHOTO_PIXELS (a signature as drawn); None for no file or
    bytes that are no picture (the report is made without it rather than never)."""
    if row is None:
        return None
    data, kind = bytes(row["bytes"]), row["content_type"]
    try:
        picture = Image.open(io.BytesIO(data))
        picture.load()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    if max(picture.size) > PHOTO_PIXELS:
        picture = ImageOps.exif_transpose(picture)
        picture.thumbnail((PHOTO_PIXELS, PHOTO_PIXELS))
        out = io.BytesIO()
        if kind == "image/png":
            picture.save(out, "PNG", optimize=True)
        else:
            picture.convert("RGB").save(out, "JPEG", quality=82)
        data = out.getvalue()
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"
