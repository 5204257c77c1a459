"""ERP files that cannot be read as a whole are refused with a reason (dashboard/work/erp.py), no server.
Rows checked against what is stored and the all-or-nothing commit are in tests/integration/test_erp_import.py."""

import pytest

from dashboard.work.erp import ImportFileError, read_rows


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"\xff\xfe\x00garbage", "csv"),
        ("", "csv"),
        ("external_id,name\n", "csv"),
        ("{not json", "json"),
        ('{"rows": "nope"}', "json"),
        ("42", "json"),
        ("[]", "json"),
    ],
)
def test_malformed_files_are_refused_with_a_reason(content, kind):
    with pytest.raises(ImportFileError):
        read_rows(content, kind)
