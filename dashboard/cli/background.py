"""The loops that run beside the writer in `fieldops worker` and `fieldops demo`."""

from __future__ import annotations

import threading

from dashboard.analytics.efficiency import RollupKeeper
from dashboard.core.runtime import Runtime
from dashboard.reports.schedule import ReportRunner
from dashboard.work.notify.deliverer import Deliverer as NotificationDeliverer
from dashboard.work.planning import DailyPlanner
from dashboard.work.webhooks import Deliverer


def start_background(rt: Runtime, stop: threading.Event) -> list[threading.Thread]:
    """Start the report runner, the webhook and notification deliverers, the rollup keeper and the daily visit
    planner; each ends with `stop`."""
    loops = {
        "reports": ReportRunner(rt).run,  # report schedules, queued builds and their e-mail (issue 8)
        "webhooks": Deliverer(rt).run,  # webhook deliveries (issue 9)
        "notifications": NotificationDeliverer(rt).run,  # alerts by e-mail, Web Push and chat robots (issue 17)
        "rollups": RollupKeeper(rt.db, rt.settings.timezone).run,  # refreshes the hours the writer marked
        "visit-plans": DailyPlanner(rt).run,  # visit plans turned into tasks once a day (issue 21)
    }
    threads = [threading.Thread(target=run, args=(stop,), name=name, daemon=True) for name, run in loops.items()]
    for thread in threads:
        thread.start()
    return threads
