"""The task lifecycle: the ONE way a task changes state, from any source (pages, the phone, the writer's
arrivals and departures, CSV import, dispatch). `change_state` checks the move against TRANSITIONS and
the viewer's role and scope, writes the task and its `task_events` row in one transaction, and raises a
TaskError whose message can be shown as it is. Its webhook event is written in the same transaction
(data/tasks.transition → data/webhooks.enqueue)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dashboard.core.i18n import _
from dashboard.core.inputs import FIRST_DAY, LAST_DAY
from dashboard.core.permissions import PLANNER_ROLES, Viewer
from dashboard.core.runtime import Runtime
from dashboard.work import form_answers
from dashboard.work.surveys import create_survey
from data import customers, employees, tasks, visit_plans
from data.scope import Scope

STATES = ("new", "assigned", "accepted", "en_route", "on_site", "done", "failed", "cancelled")
FINAL_STATES = ("done", "failed", "cancelled")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("assigned", "cancelled"),
    "assigned": ("assigned", "accepted", "en_route", "on_site", "new", "failed", "cancelled"),
    "accepted": ("assigned", "en_route", "on_site", "new", "failed", "cancelled"),
    "en_route": ("assigned", "on_site", "new", "failed", "cancelled"),
    "on_site": ("done", "failed"),
    "done": (),
    "failed": (),
    "cancelled": (),
}
# What field staff may do with their own tasks; planning (assign, cancel) is the supervisor's.
FIELD_MOVES = ("accepted", "en_route", "on_site", "done", "failed", "new")
PRIORITIES = (1, 2, 3)  # 1 urgent, 2 normal, 3 low
KINDS = ("visit", "repair", "delivery", "inspection", "installation", "help")
MAX_DURATION_MIN = 12 * 60
DEFAULT_DURATION_MIN = 30  # when the organisation has not chosen its own (tasks.default_duration_min)
MAX_IMPORT_ROWS = 5000
KEEP = object()  # change_state(assignee=KEEP): the task stays with whoever has it


class TaskError(ValueError):
    """A task change that cannot be made; str(error) is the reason, ready to show, and `field` the value at fault
    when one is (for the API's problem details)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TaskNotFound(TaskError):
    pass


class IllegalTransition(TaskError):
    def __init__(self, task_id: int, from_state: str, to_state: str) -> None:
        self.task_id, self.from_state, self.to_state = task_id, from_state, to_state
        super().__init__(
            _(
                "Task {task} is “{current}” and cannot become “{wanted}”.",
                task=task_id,
                current=state_label(from_state),
                wanted=state_label(to_state),
            )
        )


class NotAllowed(TaskError):
    pass


class FormIncomplete(TaskError):
    """The task's kind has a required visit form and its answers lack required fields (issue 21): the message names
    them, in the viewer's language."""

    def __init__(self, labels: list[str]) -> None:
        self.labels = labels
        super().__init__(form_answers.refuse_done_message(labels), "form")


class StaleTask(TaskError):
    """The task changed since the version the change was made for (the API's If-Match)."""

    def __init__(self) -> None:
        super().__init__(_("Someone changed this record since you read it: read it again."))


def state_label(state: str) -> str:
    labels = {
        "new": _("new"),
        "assigned": _("assigned"),
        "accepted": _("accepted"),
        "en_route": _("en route"),
        "on_site": _("on site"),
        "done": _("done"),
        "failed": _("failed"),
        "cancelled": _("cancelled"),
    }
    return labels.get(state, state)


def kind_label(kind: str, language: str | None = None) -> str:
    labels = {
        "visit": _("Visit", language),
        "repair": _("Repair", language),
        "delivery": _("Delivery", language),
        "inspection": _("Inspection", language),
        "installation": _("Installation", language),
        "help": _("Help a colleague", language),
    }
    return labels.get(kind, kind)


def from_states_of(to_state: str) -> tuple[str, ...]:
    return tuple(state for state, moves in TRANSITIONS.items() if to_state in moves)


def change_state(
    rt: Runtime,
    task_id: int,
    to_state: str,
    viewer: Viewer | None = None,
    *,
    assignee: object = KEEP,
    reason: str | None = None,
    at: datetime | None = None,
    version: str | None = None,
) -> dict:
    """Move a task to `to_state`; viewer None is the system (the writer's arrivals and departures). Returns the
    task as it is now (with its new `version`); raises IllegalTransition, NotAllowed, TaskNotFound or, when
    `version` is given and the task is no longer that version, StaleTask (a TaskError) and changes nothing."""
    if to_state not in STATES:
        raise TaskError(_("Unknown task state: {state}.", state=to_state))
    scope = Scope.everything() if viewer is None else viewer.scope
    if viewer is not None:
        _check_role(rt, viewer, to_state, assignee)
    if to_state == "assigned" and not isinstance(assignee, int):
        raise TaskError(_("Choose who the task goes to."))
    if to_state == "new":
        assignee = None  # back to the planner: nobody has it
    if to_state == "done" and (missing := form_answers.missing_labels(rt, task_id)):
        found = tasks.get_task(rt.db, scope, task_id)
        if found is not None and found["state"] in from_states_of("done"):  # otherwise refused as ever, below
            raise FormIncomplete(missing)
    from_states = from_states_of(to_state)
    if viewer is None and to_state == "new":
        from_states += ("on_site",)  # the system hands back a visit its person cannot finish (a deactivation)
    before, after = tasks.transition(
        rt.db,
        task_id,
        to_state,
        from_states,
        user_id=viewer.user_id if viewer else None,
        reason=reason,
        at=at,
        assignee=False if assignee is KEEP else assignee,
        scope=scope,
        version=version,
    )
    if before is None:
        raise TaskNotFound(_("Task {task} does not exist or is not yours to change.", task=task_id))
    if after is None and version not in (None, before["version"]):
        raise StaleTask()
    if after is None:
        raise IllegalTransition(task_id, before["state"], to_state)
    if to_state == "done":
        create_survey(rt, task_id)
    return after


def _check_role(rt: Runtime, viewer: Viewer, to_state: str, assignee: object) -> None:
    if viewer.role == "field":
        if to_state not in FIELD_MOVES:
            raise NotAllowed(_("Only a supervisor can assign or cancel tasks."))
        return
    if viewer.role not in PLANNER_ROLES:
        raise NotAllowed(_("Your role cannot change tasks."))
    if isinstance(assignee, int) and employees.get_employee(rt.db, viewer.scope, assignee) is None:
        raise NotAllowed(_("That person is not in your teams."))


def arrive(rt: Runtime, employee_id: int, customer_id: int, at: datetime) -> int | None:
    """The writer saw the person arrive at a customer: their open task there goes on site. Returns its id."""
    task = tasks.arrival_candidate(rt.db, employee_id, customer_id)
    if task is None:
        return None
    if task["state"] != "on_site":
        try:
            change_state(rt, task["id"], "on_site", at=at, reason="arrival")
        except IllegalTransition:
            return None  # a new, unassigned task at this customer: the arrival is not for it
    return task["id"]


def depart(rt: Runtime, task_id: int, at: datetime) -> None:
    """The writer saw the person leave: the task they were on site for is done (unless closed meanwhile, or its
    required form is still incomplete: it stays on site until the person finishes the form)."""
    if tasks.task_state(rt.db, task_id) == "on_site":
        try:
            change_state(rt, task_id, "done", at=at, reason="departure")
        except FormIncomplete:
            return


@dataclass(frozen=True)
class TaskInput:
    """A task as entered on the page or in a CSV row, validated."""

    customer_id: int
    kind: str
    priority: int
    window_start: datetime | None
    window_end: datetime | None
    duration_min: int
    notes: str | None
    employee_id: int | None = None

    def row(self) -> dict:
        return {
            "customer_id": self.customer_id,
            "employee_id": self.employee_id,
            "kind": self.kind,
            "priority": self.priority,
            "window_start": self.window_start,
            "window_end": self.window_end,
            "duration_min": self.duration_min,
            "notes": self.notes,
        }


def validate_task(
    rt: Runtime,
    viewer: Viewer,
    *,
    customer_id: object,
    kind: object,
    priority: object,
    window_start: object,
    window_end: object,
    duration_min: object,
    notes: object,
    employee_id: object = None,
) -> TaskInput:
    """Check what was entered; raise TaskError naming the first thing wrong."""
    if viewer.role not in PLANNER_ROLES:
        raise NotAllowed(_("Your role cannot change tasks."))
    allowed = {c["id"] for c in customers.list_customers(rt.db, viewer.scope)}
    if not isinstance(customer_id, int) or customer_id not in allowed:
        raise TaskError(_("Choose a customer of your teams."), "customer_id")
    if kind not in KINDS:
        raise TaskError(_("Choose the kind of task."), "kind")
    if priority not in PRIORITIES:
        raise TaskError(_("Priority is 1 (urgent), 2 (normal) or 3 (low)."), "priority")
    start, end = _moment(rt, window_start), _moment(rt, window_end)
    if (window_start and start is None) or (window_end and end is None):
        example = datetime.now(rt.settings.tz).strftime("%Y-%m-%d 09:30")
        field = "window_start" if window_start and start is None else "window_end"
        raise TaskError(_("Times are written like {example}.", example=example), field)
    if start and end and end <= start:
        raise TaskError(_("The window must end after it starts."), "window_end")
    if not isinstance(duration_min, int) or not 1 <= duration_min <= MAX_DURATION_MIN:
        raise TaskError(_("Expected duration is 1 to 720 minutes."), "duration_min")
    if employee_id is not None:
        person = employees.person(rt.db, viewer.scope, employee_id) if isinstance(employee_id, int) else None
        if person is None:
            raise TaskError(_("That person is not in your teams."), "employee_id")
        if not person["active"]:  # their open tasks were freed; nothing new goes to them
            raise TaskError(_("That person is deactivated: choose someone else."), "employee_id")
    body = notes.strip()[:2000] if isinstance(notes, str) and notes.strip() else None
    return TaskInput(customer_id, kind, priority, start, end, duration_min, body, employee_id)


def _moment(rt: Runtime, value: object) -> datetime | None:
    """'YYYY-MM-DD HH:MM' (or ISO) in the organisation's zone, as UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        return None  # beyond the days a person may choose, where a time zone could carry it past the calendar
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=rt.settings.tz)
    return moment.astimezone(UTC)


def create_task(rt: Runtime, viewer: Viewer, task: TaskInput, external_id: str | None = None) -> int:
    """A new task (assigned when it names its person); `external_id` is the ERP's name for it (unique)."""
    return tasks.create_task(rt.db, task.row() | {"external_id": external_id}, viewer.user_id)


def default_duration_min(rt: Runtime) -> int:
    """The expected minutes of a task nobody gave any: the organisation's choice (a new task on the page, a CSV
    line without them)."""
    value = rt.org_settings().get("tasks.default_duration_min")
    return value if isinstance(value, int) and 1 <= value <= MAX_DURATION_MIN else DEFAULT_DURATION_MIN


def _to_minute(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(second=0, microsecond=0)


def edit_task(
    rt: Runtime, viewer: Viewer, task_id: int, task: TaskInput, version: str | None = None
) -> tuple[bool, bool]:
    """Save a task as its form shows it: what it is, and who has it (`task.employee_id`, None for nobody; moved
    through change_state, the one way). Returns (its fields changed, its assignee changed): a form saved as it
    was shown writes nothing (its times are to the minute, so a stored second is no change). With `version`, each
    write happens only if nobody changed the task since (StaleTask otherwise)."""
    current = tasks.get_task(rt.db, viewer.scope, task_id)
    if current is None:
        raise TaskNotFound(_("Task {task} does not exist or is not yours to change.", task=task_id))
    if version not in (None, current["version"]):
        raise StaleTask()
    if current["state"] in FINAL_STATES:
        raise TaskError(_("A finished task cannot be edited."))
    reassigned = task.employee_id != current["employee_id"]
    if reassigned:  # first: a move the task's state does not allow leaves its fields unsaved too
        to_state = "new" if task.employee_id is None else "assigned"
        moved = change_state(rt, task_id, to_state, viewer, assignee=task.employee_id, reason="edit", version=version)
        version = moved["version"] if version is not None else None  # this edit's own write is no stranger's
    wanted = {key: value for key, value in task.row().items() if key != "employee_id"}
    for key in ("window_start", "window_end"):
        if _to_minute(wanted[key]) == _to_minute(current[key]):
            wanted[key] = current[key]
    if all(current[key] == value for key, value in wanted.items()):
        return False, reassigned
    written = tasks.update_task(rt.db, viewer.scope, task_id, wanted, at=datetime.now(UTC), version=version)
    if not written and version is not None:
        raise StaleTask()
    return True, reassigned


CSV_COLUMNS = ("customer", "kind", "priority", "window_start", "window_end", "duration_min", "notes", "employee")


def import_csv(rt: Runtime, viewer: Viewer, content: bytes) -> tuple[list[int], list[str]]:
    """Create a task per valid row; return the new ids and one message per refused row (nothing is half-done).

    Columns: customer (id or external id), kind, priority, window_start, window_end, duration_min, notes,
    employee (code, optional: the task is then assigned)."""
    try:
        reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
        rows = list(reader)
    except (UnicodeDecodeError, csv.Error):
        raise TaskError(_("The file is not a UTF-8 CSV file.")) from None
    if not reader.fieldnames or "customer" not in reader.fieldnames:
        raise TaskError(_("The first line must name the columns: {columns}.", columns=", ".join(CSV_COLUMNS)))
    if len(rows) > MAX_IMPORT_ROWS:
        raise TaskError(_("At most {count} tasks per file.", count=MAX_IMPORT_ROWS))
    by_key = {}
    for customer in customers.list_customers(rt.db, viewer.scope):
        by_key[str(customer["id"])] = customer["id"]
    by_key.update(customers.external_ids(rt.db, viewer.scope))
    people = {p["code"]: p["id"] for p in employees.roster(rt.db, viewer.scope)}
    default_minutes = default_duration_min(rt)
    valid, errors = [], []
    for number, row in enumerate(rows, start=2):
        try:
            code = (row.get("employee") or "").strip()
            if code and code not in people:
                raise TaskError(_("That person is not in your teams."))
            valid.append(
                validate_task(
                    rt,
                    viewer,
                    customer_id=by_key.get((row.get("customer") or "").strip()),
                    kind=(row.get("kind") or "visit").strip(),
                    priority=_int(row.get("priority"), 2),
                    window_start=row.get("window_start"),
                    window_end=row.get("window_end"),
                    duration_min=_int(row.get("duration_min"), default_minutes),
                    notes=row.get("notes"),
                    employee_id=people.get(code) if code else None,
                )
            )
        except TaskError as exc:
            errors.append(_("Line {line}: {reason}", line=number, reason=str(exc)))
    if errors:
        return [], errors
    return [create_task(rt, viewer, task) for task in valid], []


def _int(value: object, default: int) -> int | None:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        return default
    return int(text) if text.isdigit() else None


def at_risk(task: dict, now: datetime, eta_s: float | None = None) -> str | None:
    """'overdue' when the window has closed on an unfinished task, 'at_risk' when the estimated arrival
    (now + travel) falls after it, else None."""
    if task["state"] in (*FINAL_STATES, "on_site") or task["window_end"] is None:
        return None  # finished, or being done right now
    if task["window_end"] < now:
        return "overdue"
    if eta_s is not None and now + timedelta(seconds=eta_s) > task["window_end"]:
        return "at_risk"
    return None


def create_planned_visit(rt: Runtime, task: dict, user_id: int | None = None) -> int | None:
    """A visit the planner made (dashboard/work/planning.py), assigned to the customer's owner and carrying the day
    it was planned for (`planned_for`): None when the customer already has a planned task that day, in any state
    (made once; one cancelled or failed stays a missed visit)."""
    return visit_plans.create_planned_task(rt.db, task | {"now": datetime.now(UTC), "user_id": user_id})
