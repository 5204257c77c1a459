"""Recording each look at someone's location, for the audit page and each person's 'my data'."""

from __future__ import annotations

from collections.abc import Sequence

from flask import g, request

from dashboard.core.runtime import runtime
from data import audit


def record_look(action: str, subject_ids: Sequence[int], detail: dict | None = None) -> None:
    viewer = g.viewer
    audit.record(
        runtime().db,
        user_id=viewer.user_id,
        username=viewer.username,
        role=viewer.role,
        action=action,
        subject_ids=subject_ids,
        detail=detail,
        ip=request.remote_addr,
    )
