"""Oversight tables of the activity view (issue 6): agencies, experts, agreements, 考评,
blacklist, accidents and findings, subsidy claims.

They belong to the activity view (`projections/views/activity.py`): the same transaction
and tracking position, so they are exactly-once like the rest of it. Handlers here are plain
functions `fn(view, curs, event, position)` merged into `ActivityView.handlers`.

Tables (schema of the activity view):
- `activity_agencies`: one row per agency — pool admission (入库), blacklist state;
- `activity_experts`: every expert who ever joined (left ones keep their row, with `left_at`);
- `activity_agreements`: procurement agreements (政府购买服务) with townships, sectors, period;
- `activity_evaluations`: one row per agency and year (考评), scores by criterion;
- `activity_blacklist`: every blacklisting and reinstatement, with reason and actor;
- `activity_accidents`, `activity_findings`: accidents and investigators' findings about agencies;
- `activity_claims`: subsidy claims (补贴申请) with their approval steps.
"""

from __future__ import annotations

from typing import Any

import orjson
from psycopg import Cursor
from psycopg.rows import DictRow

DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.activity_agencies (agency_id text PRIMARY KEY, "
    "name text NOT NULL, credit_code text NOT NULL, registered_at timestamptz NOT NULL, "
    "pool_admitted_on date, pool_expires_on date, blacklisted boolean NOT NULL DEFAULT false, "
    "blacklist_reason text)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_experts (expert_id text PRIMARY KEY, "
    "agency_id text NOT NULL, name text NOT NULL, certificate_no text NOT NULL, "
    "joined_at timestamptz NOT NULL, left_at timestamptz, left_reason text)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_agreements (agreement_id text PRIMARY KEY, "
    "agency_id text NOT NULL, townships text[] NOT NULL, sectors text[] NOT NULL, "
    "start_on date NOT NULL, end_on date NOT NULL, prices jsonb NOT NULL, budget numeric NOT NULL, "
    "services text[] NOT NULL, signed_at timestamptz NOT NULL, signed_by jsonb)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_evaluations (agency_id text NOT NULL, "
    "year integer NOT NULL, scores jsonb NOT NULL, total numeric NOT NULL, grade text NOT NULL, "
    "notes text, actor jsonb, recorded_at timestamptz NOT NULL, PRIMARY KEY (agency_id, year))",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_blacklist (position bigint PRIMARY KEY, "
    "agency_id text NOT NULL, action text NOT NULL, reason text NOT NULL, actor jsonb, "
    "recorded_at timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_accidents (accident_id text PRIMARY KEY, "
    "enterprise_id text NOT NULL, township text NOT NULL, sector text NOT NULL, "
    "occurred_on date NOT NULL, category text NOT NULL, deaths integer NOT NULL, "
    "injuries integer NOT NULL, description text NOT NULL, recorded_at timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_findings (position bigint PRIMARY KEY, "
    "accident_id text NOT NULL, agency_id text NOT NULL, kind text NOT NULL, "
    "description text NOT NULL, actor jsonb, recorded_at timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_claims (claim_id text PRIMARY KEY, "
    "agency_id text NOT NULL, year integer NOT NULL, status text NOT NULL, "
    "signing_rate numeric NOT NULL, factor numeric NOT NULL, comprehensive_total numeric NOT NULL, "
    "monthly_total numeric NOT NULL, total numeric NOT NULL, lines integer NOT NULL, "
    "filed_at timestamptz NOT NULL, filed_by jsonb, steps jsonb NOT NULL DEFAULT '[]', "
    "notice_start date, notice_end date, paid_on date, updated_at timestamptz NOT NULL)",
    "CREATE INDEX IF NOT EXISTS activity_contracts_agency ON {schema}.activity_contracts (agency_id)",
    "CREATE INDEX IF NOT EXISTS activity_inspections_agency "
    "ON {schema}.activity_inspections (agency_id, performed_on)",
    "CREATE INDEX IF NOT EXISTS activity_experts_agency ON {schema}.activity_experts (agency_id)",
)
TABLES = ("activity_agencies", "activity_experts", "activity_agreements", "activity_evaluations",
          "activity_blacklist", "activity_accidents", "activity_findings", "activity_claims")


def _json(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


def _agency(view: Any, curs: Cursor[DictRow], e: Any, position: int) -> None:
    view._run(curs, "INSERT INTO {schema}.activity_agencies (agency_id, name, credit_code, "
              "registered_at) VALUES (%s, %s, %s, %s)",
              (str(e.originator_id), e.name, e.credit_code, e.timestamp))


def _admitted(view: Any, curs: Cursor[DictRow], e: Any, position: int) -> None:
    view._run(curs, "UPDATE {schema}.activity_agencies SET pool_admitted_on = %s, "
              "pool_expires_on = %s WHERE agency_id = %s",
              (e.admitted_on, e.expires_on, str(e.originator_id)))


def _expert_joined(view: Any, curs: Cursor[DictRow], e: Any, position: int) -> None:
    view._run(curs, "INSERT INTO {schema}.activity_experts (expert_id, agency_id, name, "
              "certificate_no, joined_at) VALUES (%s, %s, %s, %s, %s)",
              (e.expert_id, str(e.originator_id), e.name, e.certificate_no, e.timestamp))


def _expert_left(view: Any, curs: Cursor[DictRow], e: Any, position: int) -> None:
    view._run(curs, "UPDATE {schema}.activity_experts SET left_at = %s, left_reason = %s "
              "WHERE expert_id = %s", (e.timestamp, e.reason, e.expert_id))


def _agreement(view: Any, curs: Cursor[DictRow], e: Any, position: int) -> None:
    view._run(curs, "INSERT INTO {schema}.activity_agreements VALUES "
              "(%s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s::jsonb)",
              (str(e.originator_id), e.agency_id, list(e.townships), list(e.sectors), e.start,
               e.end, _json(e.prices), e.budget, list(e.services), e.timestamp, _json(e.actor)))


def _evaluated(view: Any, curs: Cursor[DictRow], e: Any, position: int) -> None:
    view._run(curs, "INSERT INTO {schema}.activity_evaluations VALUES "
              "(%s, %s, %s::jsonb, %s, %s, %s, %s::jsonb, %s)",
              (str(e.originator_id), e.year, _json(e.scores), e.total, e.grade, e.notes,
               _json(e.actor), e.timestamp))


def _listing(action: str, blacklisted: bool):
    def handler(view: Any, curs: Cursor[DictRow], e: Any, position: int) -> None:
        agency_id = str(e.originator_id)
        view._run(curs, "INSERT INTO {schema}.activity_blacklist VALUES "
                  "(%s, %s, %s, %s, %s::jsonb, %s)",
                  (position, agency_id, action, e.reason, _json(e.actor), e.timestamp))
        view._run(curs, "UPDATE {schema}.activity_agencies SET blacklisted = %s, "
                  "blacklist_reason = %s WHERE agency_id = %s",
                  (blacklisted, e.reason if blacklisted else None, agency_id))
    return handler


def _accident(view: Any, curs: Cursor[DictRow], e: Any, position: int) -> None:
    view._run(curs, "INSERT INTO {schema}.activity_accidents VALUES "
              "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
              (str(e.originator_id), e.enterprise_id, e.township, e.sector, e.occurred_on,
               e.category, e.deaths, e.injuries, e.description, e.timestamp))


def _finding(view: Any, curs: Cursor[DictRow], e: Any, position: int) -> None:
    view._run(curs, "INSERT INTO {schema}.activity_findings VALUES "
              "(%s, %s, %s, %s, %s, %s::jsonb, %s)",
              (position, str(e.originator_id), e.agency_id, e.kind, e.description,
               _json(e.actor), e.timestamp))


_BILL = ("signing_rate", "factor", "comprehensive_total", "monthly_total", "total")


def _claim_filed(view: Any, curs: Cursor[DictRow], e: Any, position: int) -> None:
    view._run(curs, "INSERT INTO {schema}.activity_claims (claim_id, agency_id, year, status, "
              "signing_rate, factor, comprehensive_total, monthly_total, total, lines, filed_at, "
              "filed_by, updated_at) VALUES (%s, %s, %s, 'filed', %s, %s, %s, %s, %s, %s, %s, "
              "%s::jsonb, %s)",
              (str(e.originator_id), e.agency_id, e.year, *(getattr(e, k) for k in _BILL),
               len(e.lines), e.timestamp, _json(e.actor), e.timestamp))


def _claim_refiled(view: Any, curs: Cursor[DictRow], e: Any, position: int) -> None:
    view._run(curs, "UPDATE {schema}.activity_claims SET status = 'filed', signing_rate = %s, "
              "factor = %s, comprehensive_total = %s, monthly_total = %s, total = %s, lines = %s, "
              "filed_at = %s, filed_by = %s::jsonb, updated_at = %s WHERE claim_id = %s",
              (*(getattr(e, k) for k in _BILL), len(e.lines), e.timestamp, _json(e.actor),
               e.timestamp, str(e.originator_id)))


def _claim_stepped(view: Any, curs: Cursor[DictRow], e: Any, position: int) -> None:
    step = {"step": e.step, "passed": e.passed, "notes": e.notes, "on": e.on, "by": e.actor,
            "recorded_at": e.timestamp}
    view._run(curs, "UPDATE {schema}.activity_claims SET status = %s, "
              "steps = steps || %s::jsonb, updated_at = %s WHERE claim_id = %s",
              (e.step if e.passed else "returned", _json([step]), e.timestamp,
               str(e.originator_id)))


def _claim_noticed(view: Any, curs: Cursor[DictRow], e: Any, position: int) -> None:
    view._run(curs, "UPDATE {schema}.activity_claims SET status = 'noticed', notice_start = %s, "
              "notice_end = %s, updated_at = %s WHERE claim_id = %s",
              (e.start, e.end, e.timestamp, str(e.originator_id)))


def _claim_paid(view: Any, curs: Cursor[DictRow], e: Any, position: int) -> None:
    view._run(curs, "UPDATE {schema}.activity_claims SET status = 'paid', paid_on = %s, "
              "updated_at = %s WHERE claim_id = %s", (e.paid_on, e.timestamp, str(e.originator_id)))


HANDLERS = {
    "Agency.Registered": _agency,
    "Agency.AdmittedToPool": _admitted,
    "Agency.ExpertJoined": _expert_joined,
    "Agency.ExpertLeft": _expert_left,
    "Agency.Evaluated": _evaluated,
    "Agency.Blacklisted": _listing("blacklisted", True),
    "Agency.Reinstated": _listing("reinstated", False),
    "ProcurementAgreement.Signed": _agreement,
    "Accident.Recorded": _accident,
    "Accident.FindingRecorded": _finding,
    "SubsidyClaim.Filed": _claim_filed,
    "SubsidyClaim.Refiled": _claim_refiled,
    "SubsidyClaim.Stepped": _claim_stepped,
    "SubsidyClaim.Noticed": _claim_noticed,
    "SubsidyClaim.Paid": _claim_paid,
}
