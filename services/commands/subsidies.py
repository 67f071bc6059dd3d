"""Subsidy claims (补贴申请) and their approval chain, 004 §三.

An agency files one claim per year; the bill is computed by `domain.subsidy.bill()` under the
year's policy (`infra/subsidy_policy.py`) from what the agency did — the caller hands the facts
(`ServedEnterprise`, read from the views by `projections.queries.subsidies.served`); nobody types
amounts in. A claim sent back (退回) is filed again with the facts as they are then.
Approval: 初审 (township) → 审核 (bureau) → 审定 (finance, recorded by the bureau) → 公示 → paid.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from domain import rules
from domain.actor import Actor
from domain.errors import InvalidValue
from domain.parties import Agency
from domain.subsidy import ServedEnterprise, SubsidyPolicy, bill
from domain.subsidy_claim import RETURNED, SubsidyClaim
from infra.subsidy_policy import load_policies, policy_for


@lru_cache(maxsize=1)
def _policies() -> dict[int, SubsidyPolicy]:
    return load_policies()


def subsidy_policy(year: int) -> SubsidyPolicy:
    """The policy of a year (or the latest earlier one still in force); 422 when there is none."""
    try:
        return policy_for(_policies(), year)
    except KeyError:
        raise InvalidValue("year", f"{year} 年没有补贴政策（最早 {min(_policies())} 年）") from None


class SubsidyCommands:
    def file_subsidy_claim(self, actor: Actor, *, agency_id: str, year: int,
                           served: Iterable[ServedEnterprise]):
        """File (or, after a return, file again) the agency's claim for a year."""
        agency = self.load(Agency, agency_id)
        the_bill = bill(subsidy_policy(year), served)
        claim_id = SubsidyClaim.create_id(str(agency.id), year)
        claim = self.find(SubsidyClaim, claim_id)
        if claim is None:
            claim = SubsidyClaim.file(agency_id=str(agency.id), year=year, bill=the_bill, actor=actor)
            return self.store(claim)
        rules.SUBSIDY_ORDER.require(claim.status == RETURNED,
                                    f"{year} 年度补贴已申报，当前状态 {claim.status}")
        claim.refile(bill=the_bill, actor=actor)
        return self.store(claim)

    def check_subsidy_claim(self, actor: Actor, claim_id: str, *, passed: bool, notes: str = "",
                            on: date | None = None):
        """初审 by the township office."""
        return self.change(SubsidyClaim, claim_id, lambda c: c.township_check(
            passed=passed, notes=notes, on=on or self.today(), today=self.today(), actor=actor))

    def review_subsidy_claim(self, actor: Actor, claim_id: str, *, passed: bool, notes: str = "",
                             on: date | None = None):
        """审核 by the county bureau."""
        return self.change(SubsidyClaim, claim_id, lambda c: c.bureau_review(
            passed=passed, notes=notes, on=on or self.today(), today=self.today(), actor=actor))

    def approve_subsidy_claim(self, actor: Actor, claim_id: str, *, passed: bool, notes: str = "",
                              on: date | None = None):
        """审定 by the finance bureau, recorded by the county bureau."""
        return self.change(SubsidyClaim, claim_id, lambda c: c.finance_approval(
            passed=passed, notes=notes, on=on or self.today(), today=self.today(), actor=actor))

    def publish_subsidy_notice(self, actor: Actor, claim_id: str, *, start: date, end: date):
        """公示 of the approved amount (at least a week)."""
        return self.change(SubsidyClaim, claim_id, lambda c: c.publish_notice(
            start=start, end=end, today=self.today(), actor=actor))

    def pay_subsidy(self, actor: Actor, claim_id: str, *, paid_on: date | None = None):
        """拨付, after the notice period."""
        return self.change(SubsidyClaim, claim_id, lambda c: c.pay(
            paid_on=paid_on or self.today(), today=self.today(), actor=actor))
