"""The tasks handler: an arrival at a customer puts the person's task there on site, and the departure
from that visit makes it done, through the one task state machine (dashboard/work/lifecycle.py)."""

from __future__ import annotations

from dashboard.core.runtime import Runtime
from dashboard.work import lifecycle
from dashboard.writer.pipeline import Arrived, Batch, Departed, Event, Handler, utc


class Tasks(Handler):
    name = "tasks"

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def react(self, event: Event, batch: Batch) -> None:
        if isinstance(event, Arrived):
            event.task_id = lifecycle.arrive(self.rt, event.employee_id, event.customer_id, utc(event.at_ms))
        elif isinstance(event, Departed) and event.task_id is not None:
            lifecycle.depart(self.rt, event.task_id, utc(event.at_ms))
