"""Sign-in accounts, single sign-on and wall displays: `fieldops user`, `fieldops sso` and `fieldops wall-token`."""

from __future__ import annotations

import argparse
import getpass
import sys

from dashboard.cli.boot import opened
from dashboard.work import sso
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


def cmd_sso(args: argparse.Namespace) -> int:
    with opened(args) as rt:
        config = sso.load_config(rt.db)
        if args.action == "set":
            form = {
                key: value if (value := getattr(args, key, None)) is not None else getattr(config, key)
                for key in (
                    "enabled",
                    "display_name",
                    "issuer",
                    "client_id",
                    "scopes",
                    "role_claim",
                    "teams_claim",
                    "default_role",
                    "passwords_off",
                    "break_glass_username",
                )
            }
            form["role_map"] = "\n".join(args.map) if args.map else sso.role_map_text(config.role_map)
            secret = sys.stdin.readline().rstrip("\n") if args.client_secret_stdin else None
            try:
                config = sso.save(rt.db, form, secret, None)
            except sso.SsoConfigError as exc:
                print(f"fieldops sso: {exc}", file=sys.stderr)
                return 2
        print(f"enabled:       {'yes' if config.enabled else 'no'}")
        print(f"name:          {config.display_name}")
        print(f"issuer:        {config.issuer}")
        print(f"client id:     {config.client_id}")
        print(f"client secret: {'set' if config.client_secret else 'not set'}")
        print(f"scopes:        {config.scopes}")
        print(f"role claim:    {config.role_claim or '-'}")
        for value, role in config.role_map.items():
            print(f"  {value} = {role}")
        print(f"teams claim:   {config.teams_claim or '-'}")
        print(f"default role:  {config.default_role}")
        print(f"passwords:     {'off, but for ' + str(config.break_glass_username) if config.passwords_off else 'on'}")
        print(f"redirect URI:  {sso.redirect_uri(rt.settings.public_url)}")
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
