"""考评 of townships, regulators and enterprises (issue 15 §6): the bureau's scored fields per
party and year, and the yearly reward fund with its allocation decisions. The record's part of
each 考评 and the grades are read models (`projections/queries/assessments.py`)."""

from __future__ import annotations

from datetime import date

from domain import rules
from domain.actor import Actor
from domain.assessment import PartyAssessment, RewardFund, assessment_id, fund_id
from domain.errors import InvalidValue
from domain.parties import Agency, Enterprise


class AssessmentCommands:
    def _party(self, kind: str, party: str, field: str,
               kind_field: str = "kind") -> tuple[str, str | None, str | None]:
        """The party's id as stored, and its township and sector (for scope); unknown: 422."""
        if kind == "township":
            return self.known_township(field, party), party, None
        if kind == "regulator":
            return self.known_sector(field, party), None, party
        if kind == "enterprise":
            e = self.named(Enterprise, party, field, "企业")
            return str(e.id), e.township, e.sector
        if kind == "agency":
            return str(self.named(Agency, party, field, "中介机构").id), None, None
        raise InvalidValue(kind_field, f"未知对象 {kind!r}，可选：township, regulator, enterprise, agency")

    def score_party(self, actor: Actor, *, kind: str, assessed: str, year: int,
                    scores: dict[str, object], notes: str = ""):
        assessed, township, sector = self._party(kind, assessed, "assessed")
        ident = assessment_id(kind, assessed, year)
        assessment = PartyAssessment.score(
            kind=kind, assessed=assessed, township=township, sector=sector, year=year, scores=scores,
            notes=notes, actor=actor, existing=self.find(PartyAssessment, ident))
        return self.store(assessment, on_conflict=lambda: rules.ASSESSMENT_ONCE_A_YEAR.refuse(str(year)))

    def establish_reward_fund(self, actor: Actor, *, year: int, amount: object, document_no: str,
                              decided_on: date | None = None):
        fund = RewardFund.establish(year=year, amount=amount, document_no=document_no,
                                    decided_on=decided_on or self.today(), actor=actor,
                                    existing=self.find(RewardFund, fund_id(year)))
        return self.store(fund, on_conflict=lambda: rules.REWARD_FUND_ONCE_A_YEAR.refuse(str(year)))

    def allocate_reward_fund(self, actor: Actor, year: int, *, awards: list[dict], document_no: str,
                             decided_on: date | None = None):
        fund = self.load(RewardFund, fund_id(year))
        named = [{**a, "recipient": self._party(a["kind"], a["recipient"], f"awards.{n}.recipient",
                                            f"awards.{n}.kind")[0]}
                 for n, a in enumerate(awards)]
        fund.allocate(awards=named, document_no=document_no, decided_on=decided_on or self.today(),
                      actor=actor)
        return self.store(fund)
