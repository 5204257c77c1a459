"""Presence: every person in a viewer's scope is exactly one of five states, defined here and nowhere else.

online             the latest fix is at most `offline_after_s` old
offline            the latest fix is older than that
consent_withdrawn  tracking needs consent and the person withdrew it (nothing is tracked; someone who never gave
                   it has no position tracked either, and shows as such)
paused             the person paused sharing, or it is outside their working hours (nothing is tracked then)
no_position        no position to show: never reported, or not since they resumed sharing

The five add up to the people in scope. The live map's counters and people list and the wall's tiles all
count with `Presence` (via `LiveMap.presence`); between two answers the browser only ages a fix from online
to offline with the same threshold and the server's clock (assets/livemap.js).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ONLINE, OFFLINE, PAUSED, NO_POSITION = "online", "offline", "paused", "no_position"
CONSENT_WITHDRAWN = "consent_withdrawn"
STATES = (ONLINE, OFFLINE, CONSENT_WITHDRAWN, PAUSED, NO_POSITION)
ACTIVITIES = ("moving", "visit", "idle")  # what an online person is doing, from the live feed
COUNTS = ("total", *STATES, *ACTIVITIES)  # the keys of Presence.counts(), in the order surfaces show them


def state_of(fix_ts_ms: int | None, paused: bool, now_ms: int, offline_after_ms: int, withdrawn: bool = False) -> str:
    """The one rule: no consent first, then paused (either hides any fix), then no fix, then the fix's age."""
    if withdrawn:
        return CONSENT_WITHDRAWN
    if paused:
        return PAUSED
    if fix_ts_ms is None:
        return NO_POSITION
    return ONLINE if now_ms - fix_ts_ms <= offline_after_ms else OFFLINE


@dataclass(frozen=True, slots=True)
class Presence:
    """The states of everyone in one scope at one instant (epoch ms, this process's clock)."""

    now_ms: int
    state: dict[int, str]  # employee id -> one of STATES, for every person in scope
    activity: dict[int, str]  # online people only -> one of ACTIVITIES

    def ids(self, state: str) -> list[int]:
        return sorted(employee_id for employee_id, found in self.state.items() if found == state)

    def counts(self) -> dict[str, int]:
        """People per state and per activity, and `total`: the people in scope (the five states add up to it)."""
        counts = dict.fromkeys((*STATES, *ACTIVITIES), 0)
        for found in self.state.values():
            counts[found] += 1
        for doing in self.activity.values():
            counts[doing] += 1
        counts["total"] = len(self.state)
        return counts


def presence_of(
    people: Iterable[int],
    fixes: Mapping[int, tuple[int, str]],
    paused: set[int] | frozenset[int],
    now_ms: int,
    offline_after_ms: int,
    withdrawn: set[int] | frozenset[int] = frozenset(),
) -> Presence:
    """`fixes`: employee id -> (latest fix's epoch ms, its activity); `paused`: paused or outside working hours;
    `withdrawn`: without the consent tracking needs."""
    state: dict[int, str] = {}
    activity: dict[int, str] = {}
    for employee_id in people:
        fix = fixes.get(employee_id)
        found = state_of(
            fix[0] if fix else None, employee_id in paused, now_ms, offline_after_ms, employee_id in withdrawn
        )
        state[employee_id] = found
        if found == ONLINE:
            activity[employee_id] = fix[1]
    return Presence(now_ms, state, activity)
