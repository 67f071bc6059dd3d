"""The activity view (排查与委托): enterprises, inspections and service contracts.

The statistics (统计分析表) need what the ledger does not keep: which enterprises are due
to report, which were inspected in a period, which have a monthly service contract.
Tables: `activity_enterprises`, `activity_inspections`, `activity_contracts`,
`activity_self_reports` (企业月度自查自报, issue 13: one row per enterprise and month), and the
oversight tables of issue 6 (agencies, experts, agreements, 考评, blacklist, accidents and
findings, subsidy claims — `projections/views/oversight.py`), `activity_referrals` (交办,
issue 14: `projections/views/referrals.py`) and `activity_alarms` (智慧用电告警, issue 15 §4:
`projections/views/alarms.py`), kept by the same transactions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from projections.views import groups  # issue 15: 互助组、行业协会 (activity_groups, …)
from projections.views import oversight
from projections.views import referrals  # issue 14: 交办 (activity_referrals)
from projections.views import insurance  # issue 15 §3: 安责险 (activity_insurers, …_policies, …)
from projections.views import alarms  # issue 15 §4: 智慧用电告警 (activity_alarms)
from projections.views import platform  # issue 15 §5: 服务平台 (needs, offers, ratings)
from projections.views import assessments  # issue 15 §6: 考评 scores, reward funds
from projections.views.base import View, id_text
from projections.views.tables import Fold, Table, changing

DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.activity_enterprises (enterprise_id text PRIMARY KEY, "
    "name text NOT NULL, township text NOT NULL, sector text NOT NULL, scale text NOT NULL, "
    "registered_at timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_inspections (inspection_id text PRIMARY KEY, "
    "enterprise_id text NOT NULL, township text NOT NULL, sector text NOT NULL, agency_id text, "
    "kind text NOT NULL, basis_id text, scheduled_for date NOT NULL, status text NOT NULL, "
    "performed_on date, experts integer NOT NULL DEFAULT 0, report_filed_on date, "
    "report_document_no text)",
    "CREATE INDEX IF NOT EXISTS activity_inspections_performed "
    "ON {schema}.activity_inspections (performed_on)",
    "CREATE INDEX IF NOT EXISTS activity_inspections_enterprise "
    "ON {schema}.activity_inspections (enterprise_id)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_contracts (contract_id text PRIMARY KEY, "
    "enterprise_id text NOT NULL, agency_id text NOT NULL, service text NOT NULL, "
    "start_on date NOT NULL, end_on date NOT NULL, fee numeric NOT NULL, "
    "renewals integer NOT NULL DEFAULT 0, terminated_on date)",
    "CREATE INDEX IF NOT EXISTS activity_contracts_enterprise "
    "ON {schema}.activity_contracts (enterprise_id)",
    # issue 10: a contract binds once countersigned (会签), until the day before its termination.
    # Added to tables made before (no rebuild needed: their rows are version-1 signings, which
    # are proposals); `last_day` is NULL while it does not bind — every query of contracts in
    # force asks `start_on <= D AND last_day >= D`.
    "ALTER TABLE {schema}.activity_contracts ADD COLUMN IF NOT EXISTS proposed_by text",
    "ALTER TABLE {schema}.activity_contracts ADD COLUMN IF NOT EXISTS migrated boolean "
    "NOT NULL DEFAULT false",
    "ALTER TABLE {schema}.activity_contracts ADD COLUMN IF NOT EXISTS countersigned_on date",
    "ALTER TABLE {schema}.activity_contracts ADD COLUMN IF NOT EXISTS last_day date GENERATED ALWAYS "
    "AS (CASE WHEN countersigned_on IS NULL THEN NULL "
    "ELSE least(end_on, terminated_on - 1) END) STORED",
    # issue 13: the month's self-report (自查自报) as first filed — date, lateness, 代报 — and what
    # it lists now (amendments replace the hazards or the none-found entry)
    "CREATE TABLE IF NOT EXISTS {schema}.activity_self_reports (report_id text PRIMARY KEY, "
    "enterprise_id text NOT NULL, township text NOT NULL, sector text NOT NULL, month text NOT NULL, "
    "filed_on date NOT NULL, due_on date NOT NULL, late boolean NOT NULL, proxy boolean NOT NULL, "
    "none_found boolean NOT NULL, hazards integer NOT NULL, amendments integer NOT NULL DEFAULT 0, "
    "amended_on date, recorded_at timestamptz NOT NULL)",
    "CREATE UNIQUE INDEX IF NOT EXISTS activity_self_reports_month "
    "ON {schema}.activity_self_reports (month, enterprise_id)",
    "CREATE INDEX IF NOT EXISTS activity_self_reports_enterprise "
    "ON {schema}.activity_self_reports (enterprise_id, month)",
)


INSPECTIONS, CONTRACTS, SELF_REPORTS = "activity_inspections", "activity_contracts", "activity_self_reports"
LAYOUT = (
    Table("activity_enterprises", ("enterprise_id", "name", "township", "sector", "scale", "registered_at")),
    Table(INSPECTIONS, ("inspection_id", "enterprise_id", "township", "sector", "agency_id", "kind",
                        "basis_id", "scheduled_for", "status", "performed_on", "experts",
                        "report_filed_on", "report_document_no"), key="inspection_id"),
    # `last_day` is generated from these
    Table(CONTRACTS, ("contract_id", "enterprise_id", "agency_id", "service", "start_on", "end_on", "fee",
                      "renewals", "terminated_on", "proposed_by", "migrated", "countersigned_on"),
          key="contract_id"),
    Table(SELF_REPORTS, ("report_id", "enterprise_id", "township", "sector", "month", "filed_on",
                         "due_on", "late", "proxy", "none_found", "hazards", "amendments",
                         "amended_on", "recorded_at"), key="report_id"),
)


def _id(event: Any) -> str:
    return id_text(event.originator_id)


def on_enterprise(fold: Fold, e: Any, position: int) -> None:
    fold.add("activity_enterprises", {"enterprise_id": _id(e), "name": e.name, "township": e.township,
                                      "sector": e.sector, "scale": e.scale, "registered_at": e.timestamp})


def on_scheduled(fold: Fold, e: Any, position: int) -> None:
    fold.put(INSPECTIONS, _id(e), {
        "inspection_id": _id(e), "enterprise_id": e.enterprise_id, "township": e.township,
        "sector": e.sector, "agency_id": e.agency_id, "kind": e.kind, "basis_id": e.basis_id,
        "scheduled_for": e.scheduled_for, "status": "scheduled", "performed_on": None, "experts": 0,
        "report_filed_on": None, "report_document_no": None})


@changing(INSPECTIONS, _id)
def on_performed(row: dict, e: Any, position: int) -> None:
    row.update(status="performed", performed_on=e.performed_on, experts=len(e.expert_ids))


@changing(INSPECTIONS, _id)
def on_report_filed(row: dict, e: Any, position: int) -> None:
    row.update(status="report_filed", report_filed_on=e.filed_on, report_document_no=e.document_no)


@changing(INSPECTIONS, _id)
def on_cancelled(row: dict, e: Any, position: int) -> None:
    row["status"] = "cancelled"


def on_contract(fold: Fold, e: Any, position: int) -> None:
    """One side's signature (a proposal): it binds nobody until countersigned."""
    fold.put(CONTRACTS, _id(e), {
        "contract_id": _id(e), "enterprise_id": e.enterprise_id, "agency_id": e.agency_id,
        "service": e.service, "start_on": e.start, "end_on": e.end, "fee": Decimal(e.fee), "renewals": 0,
        "terminated_on": None, "proposed_by": e.proposed_by, "migrated": e.migrated,
        "countersigned_on": None})


@changing(CONTRACTS, _id)
def on_countersigned(row: dict, e: Any, position: int) -> None:
    row.update(countersigned_on=e.countersigned_on, migrated=e.migrated)


@changing(CONTRACTS, _id)
def on_renewed(row: dict, e: Any, position: int) -> None:
    row.update(end_on=e.end, fee=Decimal(e.fee), renewals=row["renewals"] + 1)


@changing(CONTRACTS, _id)
def on_terminated(row: dict, e: Any, position: int) -> None:
    row["terminated_on"] = e.terminated_on


def on_self_report(fold: Fold, e: Any, position: int) -> None:
    """自查自报: the month's hazards, or none found (零隐患); late after the grace day; 代报."""
    fold.put(SELF_REPORTS, _id(e), {
        "report_id": _id(e), "enterprise_id": e.enterprise_id, "township": e.township,
        "sector": e.sector, "month": e.month, "filed_on": e.filed_on, "due_on": e.due_on,
        "late": e.late, "proxy": e.proxy, "none_found": e.none_found, "hazards": len(e.hazard_ids),
        "amendments": 0, "amended_on": None, "recorded_at": e.timestamp})


@changing(SELF_REPORTS, _id)
def on_self_report_amended(row: dict, e: Any, position: int) -> None:
    """An amendment replaces what is listed; the first filing's date, lateness and 代报 stay."""
    row.update(none_found=e.none_found, hazards=len(e.hazard_ids), amendments=row["amendments"] + 1,
               amended_on=e.filed_on)


class ActivityView(View):
    layout = LAYOUT + oversight.LAYOUT + referrals.LAYOUT + platform.LAYOUT + assessments.LAYOUT \
        + groups.LAYOUT + alarms.LAYOUT + insurance.LAYOUT
    tables = tuple(t.name for t in layout)
    ddl = DDL + oversight.DDL + referrals.DDL + platform.DDL + assessments.DDL + groups.DDL + alarms.DDL \
        + insurance.DDL
    handlers = {
        "Enterprise.Registered": on_enterprise,
        "Inspection.Scheduled": on_scheduled,
        "Inspection.Performed": on_performed,
        "Inspection.ReportFiled": on_report_filed,
        "Inspection.Cancelled": on_cancelled,
        "ServiceContract.Signed": on_contract,
        "ServiceContract.Countersigned": on_countersigned,
        "ServiceContract.Renewed": on_renewed,
        "ServiceContract.Terminated": on_terminated,
        "SelfReport.Filed": on_self_report,
        "SelfReport.Amended": on_self_report_amended,
        **oversight.HANDLERS,
        **referrals.HANDLERS,
        **insurance.HANDLERS,
        **groups.HANDLERS,
        **platform.HANDLERS,
        **assessments.HANDLERS,
        **alarms.HANDLERS,
    }
    changes = {
        **dict.fromkeys(["Inspection.Performed", "Inspection.ReportFiled", "Inspection.Cancelled"],
                        (INSPECTIONS, _id)),
        **dict.fromkeys(["ServiceContract.Countersigned", "ServiceContract.Renewed",
                         "ServiceContract.Terminated"], (CONTRACTS, _id)),
        "SelfReport.Amended": (SELF_REPORTS, _id),
        **oversight.CHANGES,
        **referrals.CHANGES,
        **insurance.CHANGES,
        **groups.CHANGES,
        **platform.CHANGES,
        **assessments.CHANGES,
        **alarms.CHANGES,
    }
