"""`fieldops employee …` and `fieldops team …` against real servers (issue 18): every change through
dashboard/work/people.py, a refusal on stderr with exit code 1, an import that prints every bad row and writes
nothing unless all are good."""

from __future__ import annotations

import io

import openpyxl
import pytest

from dashboard.cli.main import main
from data import employees, teams
from data.scope import Scope

EVERYONE = Scope.everything()


@pytest.fixture
def cli_env(seeded_settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded_settings.database_url)
    monkeypatch.setenv("REDIS_URL", seeded_settings.redis_url)
    monkeypatch.setenv("FIELDOPS_REDIS_PREFIX", seeded_settings.redis_prefix)
    monkeypatch.setenv("SECRET_KEY", seeded_settings.secret_key)
    return seeded_settings


def _person(db, code: str) -> dict | None:
    return employees.person_by(db, EVERYONE, code=code)


def test_employee_add_move_deactivate_reactivate_and_list(cli_env, seeded_rt, capsys):
    db = seeded_rt.db
    assert main(["employee", "add", "T900", "Tiina Tekniikka", "--team", "North", "--email", "tiina@example.com"]) == 0
    assert "Added T900 Tiina Tekniikka to North" in capsys.readouterr().out
    person = _person(db, "T900")
    assert (person["team_name"], person["email"], person["active"]) == ("North", "tiina@example.com", True)
    assert employees.changes_of(db, person["id"])[0]["username"] == "cli"

    assert main(["employee", "move", "T900", "--team", "south"]) == 0  # a team's name in any case
    assert _person(db, "T900")["team_name"] == "South"

    assert main(["employee", "deactivate", "T900"]) == 0
    assert "0 open tasks freed" in capsys.readouterr().out
    assert not _person(db, "T900")["active"]
    assert main(["employee", "list"]) == 0
    assert "T900" not in capsys.readouterr().out
    assert main(["employee", "list", "--all"]) == 0
    listed = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("T900"))
    assert "inactive" in listed and "South" in listed

    assert main(["employee", "reactivate", "T900"]) == 0
    assert _person(db, "T900")["active"]


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["employee", "add", "E0001", "Taken Code", "--team", "North"], "already has this code"),
        (["employee", "add", "T901", "Someone", "--team", "Atlantis"], "no team is named 'Atlantis'"),
        (["employee", "add", "T902", "Someone", "--team", "North", "--email", "nope"], "(email)"),
        (["employee", "move", "NOBODY", "--team", "North"], "no employee has the code 'NOBODY'"),
        (["employee", "deactivate", "NOBODY"], "no employee has the code"),
        (["team", "add", "north"], "already a team named north"),
        (["team", "rename", "Atlantis", "Lemuria"], "no team is named 'Atlantis'"),
        (["team", "rename", "North", "South"], "already a team named South"),
        (["team", "remove", "North"], "still has people"),
        (["team", "merge", "North", "North"], "cannot be merged into itself"),
    ],
)
def test_a_refusal_is_printed_to_stderr_with_exit_code_1(cli_env, capsys, argv, reason):
    assert main(argv) == 1
    said = capsys.readouterr().err.strip().splitlines()[-1]  # after any log lines
    assert reason in said and said.startswith(f"fieldops {argv[0]}: ")


def test_team_add_rename_merge_remove_and_list(cli_env, seeded_rt, capsys):
    db = seeded_rt.db
    assert main(["team", "add", "Harbour"]) == 0
    assert main(["team", "rename", "Harbour", "Harbour side"]) == 0
    harbour = teams.team_by(db, EVERYONE, name="Harbour side")
    assert harbour is not None and teams.team_by(db, EVERYONE, name="Harbour") is None
    assert main(["employee", "add", "H1", "Hanna Harbour", "--team", "Harbour side"]) == 0
    assert main(["employee", "add", "H2", "Heikki Harbour", "--team", "Harbour side"]) == 0
    assert main(["employee", "deactivate", "H2"]) == 0
    capsys.readouterr()

    assert main(["team", "merge", "Harbour side", "East"]) == 0
    assert "2 people moved" in capsys.readouterr().out  # the deactivated one too
    assert teams.team(db, EVERYONE, harbour["id"]) is None
    assert {_person(db, code)["team_name"] for code in ("H1", "H2")} == {"East"}

    assert main(["team", "add", "Short-lived"]) == 0
    assert main(["team", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Short-lived" in listed and "Harbour side" not in listed
    assert main(["team", "remove", "Short-lived"]) == 0
    assert teams.team_by(db, EVERYONE, name="Short-lived") is None


def test_import_prints_every_bad_row_and_writes_nothing_until_all_are_good(cli_env, seeded_rt, tmp_path, capsys):
    db = seeded_rt.db
    path = tmp_path / "people.csv"
    path.write_text(
        "code,name,team,email,skills\n"
        "N1,Noora Uusi,North,noora@example.com,boilers\n"
        "N2,Niko Uusi,Atlantis,,\n"
        "N3,,South,not-an-address,\n"
    )
    assert main(["employee", "import", str(path), "--dry-run"]) == 1
    captured = capsys.readouterr()
    assert "row 1      N1           created" in captured.out
    assert "row 2      N2           error  team: There is no such team among yours." in captured.out
    assert "row 3      N3           error  name: name is required." in captured.out
    assert "2 rows with errors" in captured.err
    assert main(["employee", "import", str(path)]) == 1
    assert _person(db, "N1") is None  # all or nothing

    path.write_text("code,name,team,email,skills\nN1,Noora Uusi,North,noora@example.com,boilers\n")
    assert main(["employee", "import", str(path), "--dry-run"]) == 0
    assert "Dry run, nothing written: 1 new" in capsys.readouterr().out
    assert _person(db, "N1") is None
    assert main(["employee", "import", str(path)]) == 0
    assert "Imported: 1 new" in capsys.readouterr().out
    assert _person(db, "N1")["skills"] == ["boilers"]


def test_import_reads_an_xlsx_file(cli_env, seeded_rt, tmp_path, capsys):
    book = openpyxl.Workbook()
    book.active.append(["code", "name", "team", "home_lat", "home_lon"])
    book.active.append([4242, "Xena Excel", "West", 60.17, 24.94])
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "people.xlsx"
    path.write_bytes(buffer.getvalue())
    assert main(["employee", "import", str(path)]) == 0
    person = _person(seeded_rt.db, "4242")
    assert (person["name"], person["team_name"], person["home_lat"]) == ("Xena Excel", "West", 60.17)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("people.xlsx", b"not a workbook", "not an XLSX workbook"),
        ("people.csv", b"code,name\n", "holds no rows"),
    ],
)
def test_an_unreadable_import_file_is_explained(cli_env, tmp_path, capsys, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["employee", "import", str(path)]) == 1
    assert reason in capsys.readouterr().err
    assert main(["employee", "import", str(tmp_path / "missing.csv")]) == 1
    assert "cannot read" in capsys.readouterr().err
