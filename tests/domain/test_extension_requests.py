"""Extension requests (延期申请, issue 14 point 2): the enterprise applies at least N working days
before the deadline; the approver named by policy decides; only an approval moves the deadline.

Dates are real 2026 working days: a deadline of Tuesday 20 October 2026 lies just after the
National Day week (1–7 Oct off, Saturday 10 Oct worked) and the 中秋 weekend (25–27 Sep), so the
15th working day before it is Tuesday 22 September.
"""

from __future__ import annotations

from datetime import date

from domain.hazard import Hazard

from .conftest import BUREAU, ENTERPRISE, REGULATOR, TOWNSHIP, assign, hazard, refused, rejected
from .test_working_days import CALENDAR

DEADLINE = date(2026, 10, 20)
LATEST = date(2026, 9, 22)      # 15 working days before DEADLINE
NEW_DEADLINE = date(2026, 11, 30)


def _assigned(level: str = "general") -> Hazard:
    return assign(hazard(level), deadline=DEADLINE)


def _request(h: Hazard, on: date = LATEST, **overrides) -> None:
    kwargs = dict(new_deadline=NEW_DEADLINE, reason="进口阀门到货延迟", interim_controls="储罐区停用，设警戒线",
                  requested_on=on, today=on, calendar=CALENDAR, min_working_days=15, actor=ENTERPRISE)
    h.request_extension(**{**kwargs, **overrides})


def _decide(h: Hazard, approved: bool, by=TOWNSHIP, on: date = date(2026, 9, 25)) -> None:
    h.decide_extension(approved=approved, opinion="同意" if approved else "不同意，按期整改",
                       decided_on=on, today=on, by=by)


def test_a_request_on_the_latest_working_day_is_recorded_and_moves_nothing():
    h = _assigned()
    _request(h)
    assert h.pending_events[-1].__class__.__name__ == "ExtensionRequested"
    assert h.deadline == DEADLINE and h.extension_request["new_deadline"] == NEW_DEADLINE


def test_a_day_later_is_too_late_and_the_refusal_names_the_latest_day():
    h = _assigned()
    err = refused(h, "extension-request-notice", _request, h=h, on=date(2026, 9, 23))
    assert "2026-09-22" in err.message


def test_after_the_deadline_no_request():
    h = _assigned()
    refused(h, "extension-request-before-deadline", _request, h=h, on=date(2026, 10, 21))


def test_the_new_deadline_must_be_later():
    h = _assigned()
    refused(h, "extension-moves-later", _request, h=h, new_deadline=date(2026, 10, 19))


def test_one_pending_request_at_a_time():
    h = _assigned()
    _request(h)
    refused(h, "extension-request-pending", _request, h=h, on=date(2026, 9, 21))


def test_interim_controls_are_required():
    h = _assigned()
    rejected(h, "interim_controls", _request, h=h, interim_controls=" ")


def test_a_general_hazard_is_decided_by_the_township_and_an_approval_moves_the_deadline():
    h = _assigned()
    _request(h)
    refused(h, "extension-approver", _decide, h=h, approved=True, by=BUREAU)
    refused(h, "extension-approver", _decide, h=h, approved=True, by=REGULATOR)
    _decide(h, approved=True)
    assert h.deadline == NEW_DEADLINE and h.extension_request is None
    assert h.extensions[-1]["previous"] == DEADLINE and h.extensions[-1]["approver"]["role"] == "township"


def test_a_refusal_leaves_the_deadline_and_allows_a_new_request():
    h = _assigned()
    _request(h)
    _decide(h, approved=False)
    assert h.deadline == DEADLINE and h.extension_request is None and h.extensions == []
    _request(h, on=date(2026, 9, 21))


def test_a_major_hazard_is_decided_by_the_bureau():
    h = _assigned("major")
    _request(h)
    refused(h, "extension-approver", _decide, h=h, approved=True, by=TOWNSHIP)
    _decide(h, approved=True, by=BUREAU)
    assert h.deadline == NEW_DEADLINE


def test_a_decision_needs_a_pending_request():
    h = _assigned()
    refused(h, "extension-decision-needs-request", _decide, h=h, approved=True)


def test_a_deadline_beyond_the_calendar_is_refused_not_guessed():
    h = assign(hazard(), deadline=date(2027, 1, 20))
    rejected(h, "date", _request, h=h, on=date(2026, 12, 1), new_deadline=date(2027, 3, 1))
