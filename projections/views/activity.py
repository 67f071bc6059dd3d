"""The activity view (排查与委托): enterprises, inspections and service contracts.

The statistics (统计分析表) need what the ledger does not keep: which enterprises are due
to report, which were inspected in a period, which have a monthly service contract.
Tables: `activity_enterprises`, `activity_inspections`, `activity_contracts`, and the
oversight tables of issue 6 (agencies, experts, agreements, 考评, blacklist, accidents and
findings, subsidy claims — `projections/views/oversight.py`), kept by the same transactions.
"""

from __future__ import annotations

from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow

from projections.views import oversight
from projections.views.base import View

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
)


class ActivityView(View):
    tables = ("activity_enterprises", "activity_inspections", "activity_contracts", *oversight.TABLES)
    ddl = DDL + oversight.DDL

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rendered: dict[str, str] = {}

    def _run(self, curs: Cursor[DictRow], statement: str, params: tuple) -> None:
        rendered = self._rendered.get(statement)
        if rendered is None:  # compose once per statement: composing per row is slow
            rendered = self._rendered[statement] = self.sql(statement).as_string(None)
        curs.execute(rendered, params)

    def on_enterprise(self, curs: Cursor[DictRow], e: Any, position: int) -> None:
        self._run(curs, "INSERT INTO {schema}.activity_enterprises VALUES (%s, %s, %s, %s, %s, %s)",
                  (str(e.originator_id), e.name, e.township, e.sector, e.scale, e.timestamp))

    def on_scheduled(self, curs: Cursor[DictRow], e: Any, position: int) -> None:
        self._run(curs, "INSERT INTO {schema}.activity_inspections (inspection_id, enterprise_id, "
                  "township, sector, agency_id, kind, basis_id, scheduled_for, status) "
                  "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'scheduled')",
                  (str(e.originator_id), e.enterprise_id, e.township, e.sector, e.agency_id,
                   e.kind, e.basis_id, e.scheduled_for))

    def on_performed(self, curs: Cursor[DictRow], e: Any, position: int) -> None:
        self._run(curs, "UPDATE {schema}.activity_inspections SET status = 'performed', "
                  "performed_on = %s, experts = %s WHERE inspection_id = %s",
                  (e.performed_on, len(e.expert_ids), str(e.originator_id)))

    def on_report_filed(self, curs: Cursor[DictRow], e: Any, position: int) -> None:
        self._run(curs, "UPDATE {schema}.activity_inspections SET status = 'report_filed', "
                  "report_filed_on = %s, report_document_no = %s WHERE inspection_id = %s",
                  (e.filed_on, e.document_no, str(e.originator_id)))

    def on_cancelled(self, curs: Cursor[DictRow], e: Any, position: int) -> None:
        self._run(curs, "UPDATE {schema}.activity_inspections SET status = 'cancelled' "
                  "WHERE inspection_id = %s", (str(e.originator_id),))

    def on_contract(self, curs: Cursor[DictRow], e: Any, position: int) -> None:
        """One side's signature (a proposal): it binds nobody until countersigned."""
        self._run(curs, "INSERT INTO {schema}.activity_contracts (contract_id, enterprise_id, "
                  "agency_id, service, start_on, end_on, fee, proposed_by, migrated) "
                  "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                  (str(e.originator_id), e.enterprise_id, e.agency_id, e.service, e.start, e.end,
                   e.fee, e.proposed_by, e.migrated))

    def on_countersigned(self, curs: Cursor[DictRow], e: Any, position: int) -> None:
        self._run(curs, "UPDATE {schema}.activity_contracts SET countersigned_on = %s, "
                  "migrated = %s WHERE contract_id = %s",
                  (e.countersigned_on, e.migrated, str(e.originator_id)))

    def on_renewed(self, curs: Cursor[DictRow], e: Any, position: int) -> None:
        self._run(curs, "UPDATE {schema}.activity_contracts SET end_on = %s, fee = %s, "
                  "renewals = renewals + 1 WHERE contract_id = %s",
                  (e.end, e.fee, str(e.originator_id)))

    def on_terminated(self, curs: Cursor[DictRow], e: Any, position: int) -> None:
        self._run(curs, "UPDATE {schema}.activity_contracts SET terminated_on = %s "
                  "WHERE contract_id = %s", (e.terminated_on, str(e.originator_id)))

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
        **oversight.HANDLERS,
    }
