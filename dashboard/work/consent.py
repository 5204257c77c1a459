"""Consent to tracking (PIPL art. 28-29, GDPR art. 6(1)(a)) or the notice of another lawful basis (GDPR art.
6(1)(f)), per person and versioned (issue 19, docs/CHINA.md).

The organisation chooses privacy.legal_basis. "consent": tracking needs the person's given consent, which they may
withdraw at any time; withdrawal stops tracking at once (dashboard/ingest/privacy.py refuses their fixes). "notice":
the person is shown the notice and acknowledges it; tracking does not wait for it and there is nothing to withdraw
(an objection goes to the administrator). A text is published as a new version per language, never edited; a
person whose last answer is to an older version is asked again. Before the first text nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from dashboard.core.i18n import _
from dashboard.core.runtime import Runtime
from dashboard.ingest.privacy import tracking_policy
from data import consent, org_settings
from data.scope import Scope

LANGUAGES = ("en", "zh-CN")
BASES = ("consent", "notice")
SOURCES = ("phone", "admin", "api")
MAX_TEXT_CHARS = 20_000

# A person's state: no text published yet (nothing asked), an answer due on the current version, or the answer.
UNASKED, NEEDS_ANSWER, GIVEN, WITHDRAWN, ACKNOWLEDGED = "unasked", "needs_answer", "given", "withdrawn", "acknowledged"
STATES = (UNASKED, NEEDS_ANSWER, GIVEN, WITHDRAWN, ACKNOWLEDGED)


class ConsentError(ValueError):
    """A consent request that cannot be carried out, with the reason shown."""


@dataclass(frozen=True)
class ConsentState:
    """One person's consent as the phone, My data and the register show it."""

    basis: str  # "consent" or "notice"
    state: str  # UNASKED, NEEDS_ANSWER, GIVEN, WITHDRAWN or ACKNOWLEDGED
    version: int | None  # the current text's version (None: none published)
    answered_version: int | None = None  # the version of the person's last answer
    decided_at: datetime | None = None
    language: str | None = None  # the language of `text`
    text: str | None = None  # the current text in the language asked for (else the other)

    @property
    def tracked(self) -> bool:
        """Whether their positions may be kept, as far as consent goes (dashboard/ingest/privacy.py's rule)."""
        if self.basis == "notice" or self.state == UNASKED:
            return True
        return self.state == GIVEN or (self.state == NEEDS_ANSWER and self.answered_version is not None)


def legal_basis(rt: Runtime) -> str:
    basis = str(rt.org_settings()["privacy.legal_basis"])
    return basis if basis in BASES else "consent"


def current_version(rt: Runtime) -> int | None:
    return consent.current_version(rt.db)


def state_of(rt: Runtime, employee_id: int, language: str = "en") -> ConsentState:
    basis = legal_basis(rt)
    version = consent.current_version(rt.db)
    if version is None:
        return ConsentState(basis, UNASKED, None)
    texts = consent.texts_of(rt.db, version)
    shown = texts.get(language) or next(iter(texts.values()))
    last = consent.latest_of(rt.db, employee_id)
    state = _state(basis, version, last)
    given_before = last is not None and last["decision"] == GIVEN
    return ConsentState(
        basis,
        state,
        version,
        # An older consent still given holds until they answer the new text (`tracked`).
        answered_version=last["version"] if last and (basis == "notice" or given_before) else None,
        decided_at=last["decided_at"] if last else None,
        language=shown["language"],
        text=shown["body"],
    )


def _state(basis: str, version: int, last: dict | None) -> str:
    if last is None:
        return NEEDS_ANSWER
    if basis == "consent":
        if last["decision"] == WITHDRAWN:
            return WITHDRAWN
        return GIVEN if last["decision"] == GIVEN and last["version"] >= version else NEEDS_ANSWER
    return ACKNOWLEDGED if last["version"] >= version else NEEDS_ANSWER


def publish(rt: Runtime, bodies: dict[str, object], user_id: int | None) -> int:
    """A new version of the text, per language given (at least one); the people are asked again."""
    texts = {language: str(body or "").strip() for language, body in bodies.items() if language in LANGUAGES}
    texts = {language: body for language, body in texts.items() if body}
    if not texts:
        raise ConsentError(_("Write the text in at least one language."))
    if any(len(body) > MAX_TEXT_CHARS for body in texts.values()) or any("\x00" in b for b in texts.values()):
        raise ConsentError(_("A text is at most {n} characters.", n=MAX_TEXT_CHARS))
    version = consent.publish(rt.db, texts, user_id, datetime.now(UTC))
    tracking_policy(rt).refresh(force=True)  # the first text makes consent required here at once
    return version


def set_legal_basis(rt: Runtime, basis: str, user_id: int | None) -> None:
    if basis not in BASES:
        raise ConsentError(_("Choose consent or notice."))
    org_settings.set_setting(rt.db, "privacy.legal_basis", basis, user_id)
    rt.forget_org_settings()
    tracking_policy(rt).refresh(force=True)


def give(rt: Runtime, employee_id: int, source: str, language: str, user_id: int | None = None) -> ConsentState:
    """Consent given to the current text (consent mode) or the notice acknowledged (notice mode)."""
    current = state_of(rt, employee_id, language)
    if current.version is None:
        raise ConsentError(_("No consent text has been published."))
    decision = GIVEN if current.basis == "consent" else ACKNOWLEDGED
    consent.record(rt.db, employee_id, decision, current.version, current.language or "en", source, _now(), user_id)
    rt.feed.forget([employee_id])  # the "consent withdrawn" status goes; their next fix is placed
    tracking_policy(rt).refresh(force=True)
    return state_of(rt, employee_id, language)


def withdraw(rt: Runtime, employee_id: int, source: str, language: str, user_id: int | None = None) -> ConsentState:
    """Consent withdrawn: from now on nothing of the person is stored, and every live map says so."""
    current = state_of(rt, employee_id, language)
    if current.version is None:
        raise ConsentError(_("No consent text has been published."))
    if current.basis != "consent":
        raise ConsentError(
            _(
                "Tracking rests on a lawful basis other than consent: there is nothing to withdraw. "
                "To object, ask your administrator."
            )
        )
    consent.record(rt.db, employee_id, WITHDRAWN, current.version, current.language or "en", source, _now(), user_id)
    rt.feed.forget([employee_id])
    rt.feed.set_status(employee_id, {"consent_withdrawn": True})
    tracking_policy(rt).refresh(force=True)  # this process refuses their next fix; others within REFRESH_S
    return state_of(rt, employee_id, language)


def register(rt: Runtime, scope: Scope, after_id: int = 0, limit: int | None = None) -> list[dict]:
    """Every active person in scope: their state, the version and time of their last answer."""
    basis = legal_basis(rt)
    version = consent.current_version(rt.db)
    rows = consent.register(rt.db, scope, after_id, limit)
    for row in rows:
        last = {"decision": row["decision"], "version": row["version"]} if row["decision"] else None
        row["state"] = UNASKED if version is None else _state(basis, version, last)
    return rows


def history(rt: Runtime, employee_id: int) -> list[dict]:
    return consent.history(rt.db, employee_id)


def state_label(state: str) -> str:
    return {
        UNASKED: _("not asked (no text published)"),
        NEEDS_ANSWER: _("answer due"),
        GIVEN: _("consent given"),
        WITHDRAWN: _("consent withdrawn"),
        ACKNOWLEDGED: _("notice acknowledged"),
    }.get(state, state)


def source_label(source: str | None) -> str:
    """Where a decision was recorded, in words."""
    if source is None:
        return ""
    return {
        "phone": _("on the phone"),
        "admin": _("by an administrator"),
        "api": _("through the API"),
    }.get(source, source)


def _now() -> datetime:
    return datetime.now(UTC)
