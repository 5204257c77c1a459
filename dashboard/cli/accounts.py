"""Sign-in accounts and wall displays: `fieldops user` and `fieldops wall-token`."""

from __future__ import annotations

import argparse
import getpass
import sys

from dashboard.cli.boot import opened
from dashboard.work.accounts import (
    AccountError,
    change_password,
    create_account,
    new_wall_token,
    set_disabled,
    set_email,
    team_ids_by_name,
)
from data import users, wall_tokens


def cmd_user(args: argparse.Namespace) -> int:
    with opened(args) as rt:
        try:
            if args.action == "list":
                for row in users.list_users(rt.db):
                    state = "disabled" if row["disabled"] else "active"
                    print(f"{row['username']:<20} {row['role']:<11} {state:<9} {row['teams']}")
            elif args.action == "add":
                teams = team_ids_by_name(rt.db, args.teams.split(",")) if args.teams else None
                password = _read_password(args)
                create_account(rt.db, args.username, password, args.role, employee_code=args.employee, team_ids=teams)
                print(f"Created {args.username} ({args.role})")
            elif args.action == "passwd":
                change_password(rt.db, args.username, _read_password(args))
                print(f"Password of {args.username} changed; their sessions are signed out")
            elif args.action == "email":
                set_email(rt.db, args.username, args.address)
                print(f"Alert e-mail of {args.username}: {args.address.strip() or 'their employee’s address, if any'}")
            else:
                set_disabled(rt.db, args.username, args.action == "disable")
                print(f"{args.username} {args.action}d")
        except AccountError as exc:
            print(f"fieldops user: {exc}", file=sys.stderr)
            return 2
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("fieldops user: the passwords differ")
    return first


def cmd_wall_token(args: argparse.Namespace) -> int:
    with opened(args) as rt:
        try:
            if args.action == "add":
                token = new_wall_token(rt.db, args.name, args.days, None)
                print(f"Wall display URL (shown once): {rt.settings.public_url}/wall/login/{token}")
            elif args.action == "revoke":
                wall_tokens.revoke(rt.db, args.id)
                print(f"Revoked wall token {args.id}")
            else:
                for row in wall_tokens.list_tokens(rt.db):
                    state = "revoked" if row["revoked_at"] else f"until {rt.local(row['expires_at'], '%Y-%m-%d')}"
                    print(f"{row['id']:>4} {row['name']:<30} {state}")
        except AccountError as exc:
            print(f"fieldops wall-token: {exc}", file=sys.stderr)
            return 2
    return 0
