"""A fleet of devices sending native batches (`POST /api/v1/positions`) as fast as a busy tracker
would, one thread per device, and remembering exactly which fixes were answered 200.

Each fix has its own (employee, ts): a position answered 200 must be stored exactly once, so the
fleet's record is what the stored rows are compared with. A batch not answered 200 is sent again,
as a tracker keeps its fixes and retries: after a 503 (which must carry Retry-After) or when no
answer came at all (the connection refused, reset or timed out). Every answer is counted by kind.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import requests

BATCH = 50
PAUSE_S = 0.02  # between one device's batches
RETRY_S = 0.25  # a tracker would wait for Retry-After (30 s when the backlog is full); the test has no time
GIVE_UP_S = 60  # after the fleet is told to stop, a batch still unanswered is left unconfirmed
STEP_MS = 5  # between one device's consecutive fixes


@dataclass
class Answered:
    """A batch answered 200: its fixes, and when the request that got the 200 was sent."""

    sent_at: float  # time.monotonic()
    fixes: list[tuple[int, int]]


@dataclass(repr=False)
class Fleet:
    """Devices (employee id → native token) sending to `url` until `stop()`."""

    url: str
    tokens: dict[int, str]
    answers: Counter = field(default_factory=Counter)  # "200", "503", "connection refused", "500", ...
    unexpected: list[str] = field(default_factory=list)  # what was answered that should never be
    answered: list[Answered] = field(default_factory=list)
    sent: set[tuple[int, int]] = field(default_factory=set)  # every fix ever sent, answered or not
    unconfirmed: set[tuple[int, int]] = field(default_factory=set)  # sent, never answered 200 (given up)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._give_up_at = float("inf")
        self._web_down: list[list[float]] = []  # [from, until] while the test had the web process down
        self._lock = threading.Lock()
        # Ten minutes ago, 5 ms apart: well inside the age window, never in the future.
        self._first_ms = int(time.time() * 1000) - 600_000
        self._threads = [
            threading.Thread(target=self._device, args=(employee_id, token), name=f"device-{employee_id}", daemon=True)
            for employee_id, token in self.tokens.items()
        ]

    def start(self) -> Fleet:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Send no new batch; wait for the ones under way to be answered (or given up)."""
        self._give_up_at = time.monotonic() + GIVE_UP_S
        self._stop.set()
        for thread in self._threads:
            thread.join(GIVE_UP_S + 30)

    @contextmanager
    def web_down(self) -> Iterator[None]:
        """While the test takes the web process down (and until it is back): a request then may get no answer."""
        window = [time.monotonic(), float("inf")]
        self._web_down.append(window)
        try:
            yield
        finally:
            window[1] = time.monotonic()

    @property
    def confirmed(self) -> set[tuple[int, int]]:
        with self._lock:
            return {fix for batch in self.answered for fix in batch.fixes}

    def confirmed_since(self, moment: float) -> set[tuple[int, int]]:
        """Fixes answered 200 to a request sent after `moment` (time.monotonic())."""
        with self._lock:
            return {fix for batch in self.answered if batch.sent_at >= moment for fix in batch.fixes}

    def wait_for(self, count: int, timeout_s: float = 60) -> None:
        """Until at least `count` more fixes have been answered 200 (the fleet is really sending)."""
        target = len(self.confirmed) + count
        deadline = time.monotonic() + timeout_s
        while len(self.confirmed) < target:
            if time.monotonic() > deadline:
                raise AssertionError(f"the fleet got no 200s for {timeout_s} s: {dict(self.answers)}")
            time.sleep(0.05)

    def __repr__(self) -> str:
        return f"Fleet({self.url}, {len(self.tokens)} devices: {self.summary()})"

    def assert_answered_properly(self) -> None:
        """Only 200s, 503s with Retry-After, and no answer only while the test had the web process down."""
        assert not self.unexpected, (
            f"{len(self.unexpected)} answers that should never be, e.g. {self.unexpected[:3]}; {self.summary()}"
        )

    def summary(self) -> str:
        return (
            f"sent {len(self.sent)} fixes, {len(self.confirmed)} answered 200, {len(self.unconfirmed)} unconfirmed; "
            f"answers {dict(self.answers)}"
        )

    def _device(self, employee_id: int, token: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        number = 0
        while not self._stop.is_set():
            fixes = [(employee_id, self._first_ms + (number + i) * STEP_MS) for i in range(BATCH)]
            number += BATCH
            body = {
                "positions": [
                    {"ts": ts_ms, "lat": 60.17 + (ts_ms % 1000) / 1e5, "lon": 24.94, "accuracy": 5}
                    for _employee, ts_ms in fixes
                ]
            }
            with self._lock:
                self.sent.update(fixes)
            self._deliver(session, fixes, body)
            time.sleep(PAUSE_S)

    def _deliver(self, session: requests.Session, fixes: list[tuple[int, int]], body: dict) -> None:
        """Send one batch until it is answered 200; give up only GIVE_UP_S after the fleet was stopped."""
        while True:
            sent_at = time.monotonic()
            outcome = self._post(session, body, len(fixes))
            if outcome == "200":
                with self._lock:
                    self.answered.append(Answered(sent_at, fixes))
                return
            if time.monotonic() > self._give_up_at:
                with self._lock:
                    self.unconfirmed.update(fixes)
                return
            time.sleep(RETRY_S)

    def _post(self, session: requests.Session, body: dict, size: int) -> str:
        sent_at = time.monotonic()
        try:
            answer = session.post(f"{self.url}/api/v1/positions", json=body, timeout=15)
        except requests.RequestException as exc:
            kind = "no answer: " + type(exc).__name__
            # Allowed only for a request under way while the web process was down.
            down = any(start <= time.monotonic() and sent_at <= until for start, until in self._web_down)
            self._count(kind, None if down else f"{kind} while the web process was up: {exc}")
            return kind
        status = str(answer.status_code)
        if answer.status_code == 200:
            reply = answer.json()
            if (reply["accepted"], reply["rejected"], reply["withheld"]) != (size, [], 0):
                self._count("200 not all accepted", f"200 {answer.text[:300]}")
            else:
                self._count(status)
        elif answer.status_code == 503 and answer.headers.get("Retry-After"):
            self._count(status)
        else:
            what = "503 without Retry-After" if answer.status_code == 503 else status
            self._count(what, f"{status} {answer.headers.get('Content-Type')} {answer.text[:300]}")
        return status

    def _count(self, kind: str, unexpected: str | None = None) -> None:
        with self._lock:
            self.answers[kind] += 1
            if unexpected is not None:
                self.unexpected.append(unexpected)
