"""People and teams from the command line (issue 18), for scripts: `fieldops employee list|add|move|deactivate|
reactivate|import` and `fieldops team list|add|rename|merge|remove`. Every change goes through
dashboard/work/people.py as the command line (no team limit), so it is checked, recorded and announced as the People
page's and the API's are. A refusal is printed to stderr with exit code 1; so is an import with any bad row."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.cli.boot import opened
from dashboard.core.errors import AppError
from dashboard.core.runtime import Runtime
from dashboard.work import erp, people
from data import employees, teams
from data.scope import Scope

ACTOR = people.Actor.command_line()
EVERYONE = Scope.everything()


class Refused(Exception):
    """What the person at the terminal is told, on stderr, before exit code 1."""


def cmd_employee(args: argparse.Namespace) -> int:
    with opened(args) as rt:
        return _answer("employee", lambda: EMPLOYEE_ACTIONS[args.action](rt, args))


def cmd_team(args: argparse.Namespace) -> int:
    with opened(args) as rt:
        return _answer("team", lambda: TEAM_ACTIONS[args.action](rt, args))


def _answer(command: str, action) -> int:
    try:
        return action()
    except AppError as exc:
        where = f" ({exc.extra['field']})" if exc.extra.get("field") else ""
        print(f"fieldops {command}: {exc.message}{where}", file=sys.stderr)
    except (Refused, erp.ImportFileError) as exc:
        print(f"fieldops {command}: {exc}", file=sys.stderr)
    return 1


def _person(rt: Runtime, code: str) -> dict:
    found = employees.person_by(rt.db, EVERYONE, code=code)
    if found is None:
        raise Refused(f"no employee has the code {code!r}")
    return found


def _team(rt: Runtime, name: str) -> dict:
    found = teams.team_by(rt.db, EVERYONE, name=name)
    if found is None:
        raise Refused(f"no team is named {name!r}")
    return found


# Employees


def _list_people(rt: Runtime, args: argparse.Namespace) -> int:
    for person in employees.people(rt.db, EVERYONE, include_inactive=args.all):
        state = "active" if person["active"] else "inactive"
        print(
            f"{person['code']:<12} {person['name']:<30} {person['team_name'] or '-':<16} {state:<8} "
            f"{person['phone'] or '-':<16} {person['email'] or '-'}"
        )
    return 0


def _add_person(rt: Runtime, args: argparse.Namespace) -> int:
    values = {"code": args.code, "name": args.name, "team_id": _team(rt, args.team)["id"]}
    values |= {key: getattr(args, key) for key in ("phone", "email") if getattr(args, key) is not None}
    person = people.add_person(rt, ACTOR, values)
    print(f"Added {person['code']} {person['name']} to {person['team_name']}")
    return 0


def _move_person(rt: Runtime, args: argparse.Namespace) -> int:
    person = people.move_person(rt, ACTOR, _person(rt, args.code)["id"], _team(rt, args.team)["id"])
    print(f"Moved {person['code']} {person['name']} to {person['team_name']}")
    return 0


def _deactivate_person(rt: Runtime, args: argparse.Namespace) -> int:
    done = people.deactivate_person(rt, ACTOR, _person(rt, args.code)["id"])
    print(
        f"Deactivated {done.person['code']} {done.person['name']}: {len(done.freed_task_ids)} open tasks freed, "
        f"{done.accounts_signed_out} accounts signed out, their devices refused"
    )
    return 0


def _reactivate_person(rt: Runtime, args: argparse.Namespace) -> int:
    person = people.reactivate_person(rt, ACTOR, _person(rt, args.code)["id"])
    print(f"Reactivated {person['code']} {person['name']}")
    return 0


def _import_people(rt: Runtime, args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise Refused(f"cannot read {path}: {exc.strerror}") from None
    report = people.import_people(rt, ACTOR, erp.read_rows(content, erp.file_kind(path.name)), args.dry_run)
    summary = report.as_dict()
    for row in sorted(report.rows + report.errors, key=lambda r: (r["row"], "action" in r)):
        code = row["external_id"] or "-"
        if "action" in row:
            print(f"row {row['row']:<6} {code:<12} {row['action']}")
        else:
            print(f"row {row['row']:<6} {code:<12} error  {row['field'] or '-'}: {row['message']}")
    counts = (
        f"{summary['created']} new, {summary['updated']} changed, {summary['unchanged']} unchanged, "
        f"{summary['error_rows']} rows with errors"
    )
    if report.errors:
        print(f"fieldops employee import: nothing written, fix the rows in error first: {counts}", file=sys.stderr)
        return 1
    print(f"{'Imported' if report.committed else 'Dry run, nothing written'}: {counts}")
    return 0


EMPLOYEE_ACTIONS = {
    "list": _list_people,
    "add": _add_person,
    "move": _move_person,
    "deactivate": _deactivate_person,
    "reactivate": _reactivate_person,
    "import": _import_people,
}


# Teams


def _list_teams(rt: Runtime, _args: argparse.Namespace) -> int:
    for team in teams.managed_teams(rt.db, EVERYONE):
        print(
            f"{team['name']:<24} {team['members']:>4} active {team['former_members']:>4} inactive  "
            f"supervisors: {team['supervisors'] or '-'}"
        )
    return 0


def _add_team(rt: Runtime, args: argparse.Namespace) -> int:
    team = people.add_team(rt, ACTOR, {"name": args.name})
    print(f"Added team {team['name']}")
    return 0


def _rename_team(rt: Runtime, args: argparse.Namespace) -> int:
    team = people.change_team(rt, ACTOR, _team(rt, args.old)["id"], {"name": args.new})
    print(f"Renamed team {args.old} to {team['name']}")
    return 0


def _merge_teams(rt: Runtime, args: argparse.Namespace) -> int:
    source, target = _team(rt, args.source), _team(rt, args.target)
    merged = people.merge_teams(rt, ACTOR, source["id"], target["id"])
    moved = source["members"] + source["former_members"]
    print(f"Merged {source['name']} into {merged['name']}: {moved} people moved, {source['name']} removed")
    return 0


def _remove_team(rt: Runtime, args: argparse.Namespace) -> int:
    team = _team(rt, args.name)
    people.remove_team(rt, ACTOR, team["id"])
    print(f"Removed team {team['name']}")
    return 0


TEAM_ACTIONS = {
    "list": _list_teams,
    "add": _add_team,
    "rename": _rename_team,
    "merge": _merge_teams,
    "remove": _remove_team,
}
