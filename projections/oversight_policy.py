"""The county's limits for agency accountability and coverage (issue 6), as policy data.

Read from the same file as the 三不放过 limits (`projections/policy/ninghai.json`, or
HAZARD_POLICY_FILE), sections `accountability` and `coverage`; a file without them gets
the defaults below (this project's choices — the seed papers set no filing deadline):
- an inspection report (排查报告) is late when filed more than `report_within_days` after
  the inspection was performed;
- a monthly contract (按月排查) owes one inspection for every month on whose
  `monthly_due_day` it is in force; a month without one, once it has ended, is missed (漏查);
- the coverage goal: 5 % of enterprises under socialised service (001 §二);
- section `assessments` (issue 15 §6): the grade thresholds of the 考评 of townships, regulators
  and enterprises (`grades`: excellent, good, pass; default 90, 80, 60) — `grade_thresholds`;
- section `contracts`: how far back a party may date a service contract (`backdate_days`,
  default 30; issue 10) — the commands get it through `contract_policy(Settings.policy_file)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from domain.assessment import GradeThresholds
from domain.contracts import ContractPolicy
from projections.compliance import DEFAULT_POLICY


@dataclass(frozen=True)
class OversightPolicy:
    report_within_days: int = 15
    monthly_due_day: int = 15
    coverage_goal: Decimal = Decimal("0.05")

    @classmethod
    def load(cls, path: str | Path | None = None) -> OversightPolicy:
        path = path or DEFAULT_POLICY  # Settings.policy_file (HAZARD_POLICY_FILE) is passed in
        data = orjson.loads(Path(path).read_bytes())
        acc, cov = data.get("accountability", {}), data.get("coverage", {})
        default = cls()
        return cls(report_within_days=int(acc.get("report_within_days", default.report_within_days)),
                   monthly_due_day=int(acc.get("monthly_due_day", default.monthly_due_day)),
                   coverage_goal=Decimal(str(cov.get("goal", default.coverage_goal))))

    def describe(self) -> dict[str, Any]:
        return {"report_within_days": self.report_within_days,
                "monthly_due_day": self.monthly_due_day, "coverage_goal": self.coverage_goal}


def contract_policy(path: str | Path | None = None) -> ContractPolicy:
    """The county's back-dating limit for service contracts (section `contracts`)."""
    data = orjson.loads(Path(path or DEFAULT_POLICY).read_bytes())
    days = data.get("contracts", {}).get("backdate_days", ContractPolicy.backdate_days)
    return ContractPolicy(backdate_days=int(days))


def grade_thresholds(path: str | Path | None = None) -> GradeThresholds:
    """The county's 考评 grade thresholds (section `assessments.grades`), else 90 / 80 / 60."""
    data = orjson.loads(Path(path or DEFAULT_POLICY).read_bytes())
    grades = data.get("assessments", {}).get("grades", {})
    default = GradeThresholds()
    return GradeThresholds(excellent=Decimal(str(grades.get("excellent", default.excellent))),
                           good=Decimal(str(grades.get("good", default.good))),
                           passing=Decimal(str(grades.get("pass", default.passing))))
