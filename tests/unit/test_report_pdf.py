"""Which employees a report's PDF lists when there are too many (dashboard/reports/render/pdf.py), no
server. Whole reports built from the demo data are tested in tests/integration/test_reports.py."""

from dashboard.reports.render.pdf import PDF_EMPLOYEES_MAX, PDF_TEAM_ENDS, pdf_employees


def test_a_long_employee_list_keeps_each_teams_ends_in_the_pdf_and_everyone_elsewhere():
    people = [
        {"employee_code": f"E{n:04d}", "team_name": f"Team {n % 4}", "visits": n % 37}
        for n in range(PDF_EMPLOYEES_MAX + 50)
    ]
    shown = pdf_employees(people)
    assert len(shown) == 4 * 2 * PDF_TEAM_ENDS
    for team in {p["team_name"] for p in people}:
        members = sorted((p["visits"] for p in people if p["team_name"] == team), reverse=True)
        listed = [p["visits"] for p in shown if p["team_name"] == team]
        assert listed == members[:PDF_TEAM_ENDS] + members[-PDF_TEAM_ENDS:]
    assert pdf_employees(people[:PDF_EMPLOYEES_MAX]) == people[:PDF_EMPLOYEES_MAX]
