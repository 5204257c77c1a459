"""Import files read whole, no server (dashboard/work/erp.read_rows, shared by the ERP and the people import): an
XLSX's first sheet under its header row with every cell as CSV would hold it; a broken, formula-bearing, empty or
oversized file is refused with a reason, never read halfway."""

from __future__ import annotations

import base64
import io
import zipfile
from datetime import date, datetime, time

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.work.erp import (
    MAX_COLUMNS,
    MAX_ROWS,
    ImportFileError,
    file_kind,
    read_rows,
    read_upload,
    template_file,
)
from dashboard.work.people import IMPORT_COLUMNS
from tests.hostile import fuzz


def workbook(*rows: list, title: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def refused(content: bytes | str, kind: str = "xlsx") -> str:
    with pytest.raises(ImportFileError) as caught:
        read_rows(content, kind)
    return str(caught.value)


def test_an_xlsx_sheet_is_read_as_text_under_its_header():
    content = workbook(
        ["code", "name", "home_lat", "phone", "since", "at", "shift", "active"],
        ["E1", "Aino Virtanen", 60.169912, 358401234567, datetime(2026, 11, 30), datetime(2026, 11, 30, 8, 30), None],
        [1001, " Bo ", 60.5, 1.5, date(2026, 1, 2), None, time(7, 45), True],
    )
    assert read_rows(content, "xlsx") == [
        {
            "code": "E1",
            "name": "Aino Virtanen",
            "home_lat": "60.169912",
            "phone": "358401234567",
            "since": "2026-11-30",
            "at": "2026-11-30 08:30:00",
            "shift": "",
            "active": "",
        },
        {
            "code": "1001",  # a code typed as a number: not "1001.0"
            "name": " Bo ",
            "home_lat": "60.5",
            "phone": "1.5",
            "since": "2026-01-02",
            "at": "",
            "shift": "07:45:00",
            "active": "TRUE",
        },
    ]


def test_only_the_first_sheet_is_read_and_empty_rows_at_the_end_are_left_out():
    book = openpyxl.Workbook()
    book.active.append(["code", "name"])
    book.active.append(["E1", "One"])
    book.active.append([None, None])
    book.active.append(["E2", "Two"])
    for _n in range(50):
        book.active.append([None, None])
    book.active["A60"].number_format = "0.00"  # a formatted, empty cell far below
    book.create_sheet("Notes").append(["code", "ignored"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read_rows(buffer.getvalue(), "xlsx")
    assert rows == [{"code": "E1", "name": "One"}, {"code": "", "name": ""}, {"code": "E2", "name": "Two"}]


@pytest.mark.parametrize("formula", ['=A2&"x"', "=1/0", "=SUM(1,2)"])
def test_a_formula_cell_is_refused_naming_the_cell(formula):
    message = refused(workbook(["code", "name"], ["E1", formula]))
    assert "B2" in message and "values only" in message


def test_an_error_cell_is_refused():
    content = workbook(["code", "name"], ["E1", "x"])
    book = openpyxl.load_workbook(io.BytesIO(content))
    book.active["B2"].value = "#N/A"
    book.active["B2"].data_type = "e"
    buffer = io.BytesIO()
    book.save(buffer)
    assert "B2" in refused(buffer.getvalue())


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a workbook at all",
        b"PK\x03\x04" + b"\x00" * 64,  # a zip's signature, nothing behind it
        workbook(["code", "name"], ["E1", "One"])[:400],  # cut short
    ],
)
def test_a_broken_file_is_refused_as_not_a_workbook(content):
    assert "XLSX" in refused(content)


def test_a_zip_that_is_no_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert "damaged" in refused(buffer.getvalue())


def test_a_workbook_with_a_damaged_sheet_is_refused():
    content = workbook(["code", "name"], ["E1", "One"])
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in source.infolist():
            data = source.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # the XML breaks off in the middle
            archive.writestr(part, data)
    assert "damaged" in refused(buffer.getvalue())


def test_a_zip_bomb_is_refused_before_it_is_parsed():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (65 * 2**20))
    assert len(buffer.getvalue()) < 1 * 2**20
    assert "unpacks to more than" in refused(buffer.getvalue())


@pytest.mark.parametrize(
    "rows",
    [
        [],  # an empty sheet
        [["code", "name"]],  # a header and nothing under it
        [[None, None], [None, None]],
    ],
)
def test_an_empty_sheet_has_no_rows(rows):
    assert "no rows" in refused(workbook(*rows))


def test_a_huge_sheet_is_refused():
    rows = [["code", "name"]] + [[f"E{n}", "x"] for n in range(MAX_ROWS + 1)]
    assert f"At most {MAX_ROWS} rows" in refused(workbook(*rows))
    assert len(read_rows(workbook(*rows[:-1]), "xlsx")) == MAX_ROWS


def test_too_many_columns_are_refused():
    assert f"At most {MAX_COLUMNS} columns" in refused(workbook([f"c{n}" for n in range(MAX_COLUMNS + 1)], ["x"]))


def test_values_under_no_column_name_are_refused_not_dropped():
    assert "C2" in refused(workbook(["code", "name"], ["E1", "One", "stray"]))
    assert "B2" in refused(workbook(["code", None, "name"], ["E1", "stray", "One"]))
    assert read_rows(workbook(["code", None, "name"], ["E1", None, "One"]), "xlsx") == [{"code": "E1", "name": "One"}]


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (workbook(["code", "name", "Code"], ["E1", "One", "E2"]), "xlsx"),
        ("code,name,code\nE1,One,E2\n", "csv"),
    ],
)
def test_a_column_named_twice_is_refused(content, kind):
    assert "appears twice" in refused(content, kind)


def test_a_csv_value_under_no_column_name_is_refused_and_empty_ones_are_no_matter():
    assert "Line 3 has a value under no column name" in refused("code,name\nE1,One\nE2,Two,extra\n", "csv")
    assert "Line 2" in refused("code,,name\nE1,stray,One\n", "csv")
    rows = read_rows("code , name,\nE1,One,\nE2\n\n,,\n", "csv")  # a spreadsheet's trailing commas, a short line
    assert rows == [{"code": "E1", "name": "One"}, {"code": "E2", "name": ""}, {"code": "", "name": ""}]


def test_a_file_too_large_is_refused_before_it_is_read():
    assert "at most 8 MB" in refused(b"code,name\n" + b"E1,x\n" * (2 * 2**20), "csv")


def test_the_kind_follows_the_name_and_an_upload_is_decoded():
    names = ("people.XLSX", "rows.json", "people.csv", "people")
    assert [file_kind(name) for name in names] == ["xlsx", "json", "csv", "csv"]
    url = "data:text/csv;base64," + base64.b64encode(b"code,name\nE1,One\n").decode()
    assert read_upload(url, "people.csv") == [{"code": "E1", "name": "One"}]
    with pytest.raises(ImportFileError):
        read_upload("data:text/csv;base64,not*base64", "people.csv")
    with pytest.raises(ImportFileError):
        read_upload(None, "people.csv")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_template_is_the_header_row_and_reads_back_as_no_rows(kind):
    content = template_file(IMPORT_COLUMNS, kind)
    assert "no rows" in refused(content, kind)
    if kind == "csv":
        assert content.decode().strip() == ",".join(IMPORT_COLUMNS)
    else:
        header = next(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        assert header == IMPORT_COLUMNS


VALID_WORKBOOK = workbook(["code", "name", "team"], ["E1", "Aino", "North"], [1002, "Bo", "South"])


@fuzz(150)
@given(
    st.lists(
        st.tuples(st.integers(0, len(VALID_WORKBOOK) - 1), st.integers(0, 255)),
        min_size=1,
        max_size=8,
    )
)
def test_a_workbook_damaged_anywhere_is_read_or_refused_never_an_other_error(changes):
    damaged = bytearray(VALID_WORKBOOK)
    for position, value in changes:
        damaged[position] = value
    try:
        rows = read_rows(bytes(damaged), "xlsx")
    except ImportFileError as exc:
        assert str(exc)
        return
    assert all(isinstance(value, str) for row in rows for value in row.values())
