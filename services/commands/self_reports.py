"""Enterprise self-reports (企业隐患自查自报): filed once a month, amended after."""

from __future__ import annotations

from domain import rules
from domain.actor import Actor
from domain.errors import InvalidValue
from domain.hazard import Hazard
from domain.parties import Enterprise
from domain.self_report import SelfReport, SelfReportPolicy, report_id
from services.errors import NotFound


class SelfReportCommands:
    self_report_policy: SelfReportPolicy = SelfReportPolicy()  # the county's grace day (Config.self_reports)

    def file_self_report(self, actor: Actor, *, enterprise_id: str, month: str,
                         hazard_ids: list[str], none_found: bool = False):
        """The month's self-report, filed today (late after the grace day, still stored)."""
        enterprise = self.load(Enterprise, enterprise_id)
        ident = report_id(str(enterprise.id), month)
        report = SelfReport.file(
            enterprise=enterprise, month=month, hazards=self._listed_hazards(hazard_ids),
            none_found=none_found, filed_on=self.today(), policy=self.self_report_policy,
            existing=self._existing(ident),
            actor=actor)
        return self.store(report, on_conflict=lambda: rules.SELF_REPORT_ONCE.refuse(f"已有 {ident}"))

    def amend_self_report(self, actor: Actor, report_id_: str, *, hazard_ids: list[str],
                          none_found: bool = False):
        report = self.load(SelfReport, report_id_)
        enterprise = self.load(Enterprise, report.enterprise_id)
        report.amend(enterprise=enterprise, hazards=self._listed_hazards(hazard_ids),
                     none_found=none_found, filed_on=self.today(), policy=self.self_report_policy,
                     actor=actor)
        return self.store(report)

    def _existing(self, ident) -> SelfReport | None:
        try:
            return self.load(SelfReport, ident)
        except NotFound:
            return None

    def _listed_hazards(self, hazard_ids: list[str]) -> list[Hazard]:
        hazards = []
        for n, hazard_id in enumerate(hazard_ids):
            try:
                hazards.append(self.load(Hazard, hazard_id))
            except NotFound:
                raise InvalidValue(f"hazard_ids.{n}", f"隐患 {hazard_id} 不存在") from None
        return hazards
