"""Enterprise self-reports (企业隐患自查自报): filed once a month, amended after."""

from __future__ import annotations

from domain import rules
from domain.actor import Actor
from domain.hazard import Hazard
from domain.parties import Enterprise
from domain.self_report import SelfReport, SelfReportPolicy, report_id


class SelfReportCommands:
    self_report_policy: SelfReportPolicy = SelfReportPolicy()  # the county's grace day (Config.self_reports)

    def file_self_report(self, actor: Actor, *, enterprise_id: str, month: str,
                         hazard_ids: list[str], none_found: bool = False):
        """The month's self-report, filed today (late after the grace day, still stored)."""
        enterprise = self.load(Enterprise, enterprise_id)
        ident = report_id(str(enterprise.id), month)
        listed = self.named_each(Hazard, hazard_ids, "hazard_ids", "隐患")
        report = SelfReport.file(
            enterprise=enterprise, month=month, hazards=listed,
            none_found=none_found, filed_on=self.today(), policy=self.self_report_policy,
            existing=self.find(SelfReport, ident),
            actor=actor)
        return self.store(report, on_conflict=lambda: rules.SELF_REPORT_ONCE.refuse(f"已有 {ident}"))

    def amend_self_report(self, actor: Actor, report_id_: str, *, hazard_ids: list[str],
                          none_found: bool = False):
        report = self.load(SelfReport, report_id_)
        enterprise = self.load(Enterprise, report.enterprise_id)
        listed = self.named_each(Hazard, hazard_ids, "hazard_ids", "隐患")
        report.amend(enterprise=enterprise, hazards=listed,
                     none_found=none_found, filed_on=self.today(), policy=self.self_report_policy,
                     actor=actor)
        return self.store(report)

