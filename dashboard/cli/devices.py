"""Trackers: `fieldops device add|list|remove`."""

from __future__ import annotations

import argparse
import sys

from dashboard.cli.boot import opened
from dashboard.ingest.trackers import DeviceError, register_device, remove_device
from data import devices


def cmd_device(args: argparse.Namespace) -> int:
    """Register, list or remove trackers; a secret is printed once and only its hash is kept."""
    with opened(args) as rt:
        if args.action == "list":
            for row in devices.list_devices(rt.db):
                print(
                    f"{row['protocol']:<10} {row['identifier']:<32} {row['employee_code']:<10} "
                    f"{row['employee_name']}  {'secret set' if row['has_secret'] else 'no secret'}  "
                    f"{row['coord_system']}"
                )
            return 0
        if args.action == "remove":
            if not remove_device(rt, args.identifier):
                print(f"No device {args.identifier!r}", file=sys.stderr)
                return 1
            print(f"Removed {args.identifier} (its next fix is refused)")
            return 0
        protocol = "osmand" if args.osmand else "owntracks" if args.owntracks else "native"
        try:
            employee, identifier, secret = register_device(
                rt.db, args.employee, protocol, args.osmand or args.owntracks or args.native, args.coord_system
            )
        except DeviceError as exc:
            print(f"fieldops device: {exc}", file=sys.stderr)
            return 2
        print(f"{protocol} device {identifier} → {employee['code']} {employee['name']} ({args.coord_system})")
        if protocol == "owntracks":
            print(
                f"OwnTracks HTTP: URL {rt.settings.public_url}/ingest/owntracks, user {identifier.split('/')[0]}, "
                f"device id {identifier.split('/')[1]}, password {secret}"
            )
        elif protocol == "native":
            print(f"Device token (shown once): {secret}")
        else:
            print(
                f"Traccar Client: server URL http://<this host>:{rt.settings.osmand_port or 5055}, "
                f"device identifier {identifier} (the OsmAnd protocol has no secret: keep ids unguessable)"
            )
        return 0
