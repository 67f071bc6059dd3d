"""`hazard simulate`'s 安责险 (issue 15 §3): insurers, policies, commissioned risk assessments and
the accident-prevention money, through the real commands.

Planned after everything else with random numbers of its own, so the rest of the year is the
year it was. A few insurers (2–4) register on 1 January; about 70% of the enterprises of the
mandatory sectors (county data `insurance_ninghai.json`) and 4% of the others take out a
one-year policy starting on the first of a month of the year (recorded by the insurer up to 30
days before, the insurer's agency of the township commissioned at once); a third of the policies
get a pre-underwriting assessment (承保前评估) and a third one during the term, by the township's
agency (performed, report filed — the simulation's hazards stay those of seed 004, so these
assessments find none). Each insurer pays for prevention services every quarter: the first
insurer more than its 10%, the last less (a shortfall), the others about their due.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from domain.actor import Actor, Role
from domain.credit_code import make
from domain.insurance import prevention_fee

MANDATORY_SHARE, OTHER_SHARE = 0.7, 0.04
PRE_ASSESSED, TERM_ASSESSED = 1 / 3, 1 / 3
KINDS = ("assessment", "training", "expert_check", "publicity")
NAMES = ("人保财险宁海支公司", "平安财险宁海支公司", "太平洋财险宁海支公司", "国寿财险宁海支公司")


class Insurance:
    def __init__(self, sim: Any) -> None:
        self.sim, self.rng = sim, random.Random(sim.seed * 7919 + 15)
        self.insurers: list[dict] = []

    def plan(self) -> None:
        sim = self.sim
        n = max(2, min(len(NAMES), round(400 * sim.scale)))
        self.insurers = [self._insurer(k) for k in range(n)]
        mandatory = sim.app.insurance_rules.mandatory_sectors
        for e in sim.enterprises:
            share = MANDATORY_SHARE if e["sector"] in mandatory else OTHER_SHARE
            if self.rng.random() < share:
                self._policy(e, self.rng.choice(self.insurers), mandatory=e["sector"] in mandatory)
        for k, insurer in enumerate(self.insurers):
            self._prevention(insurer, 1.15 if k == 0 else 0.75 if k == n - 1 else 1.0)

    def _insurer(self, k: int) -> dict:
        sim = self.sim
        insurer = {"id": None, "premiums": Decimal(0), "name": NAMES[k],
                   "actor": Actor(f"sim-insurer-{k}", Role.INSURER, f"{NAMES[k]}（模拟）")}
        code = make(f"91330226{sim.seed % 100:02d}B{k:06d}")

        def register() -> None:
            insurer["id"] = sim.app.register_insurer(sim.bureau, credit_code=code, name=NAMES[k]).id
            sim.add("insurers")
        sim.at(date(sim.year, 1, 1), register)
        return insurer

    def _policy(self, e: dict, insurer: dict, *, mandatory: bool) -> None:
        sim, rng = self.sim, self.rng
        start = date(sim.year, rng.randint(1, 12), 1)
        end = date(start.year + 1, start.month, 1) - timedelta(days=1)
        premium = Decimal(rng.randrange(30, 300) * 100 if mandatory else rng.randrange(10, 60) * 100)
        insurer["premiums"] += premium
        recorded = max(date(sim.year, 1, 1), start - timedelta(days=rng.randint(5, 30)))
        policy: dict = {"id": None}
        agency = sim.by_township[e["township"]]
        number = f"安责险{sim.year}-{sim.seed % 100:02d}-{e['lane']:06d}"  # one policy per enterprise

        def record() -> None:  # no lane: the insurer's own aggregate notes every policy's period
            policy["id"] = sim.app.record_insurance_policy(
                insurer["actor"], insurer_id=insurer["id"], enterprise_id=e["id"], policy_no=number,
                start=start, end=end, premium=premium).id
            sim.app.commission_assessment(insurer["actor"], policy["id"], agency_id=agency["id"],
                                          commissioned_on=recorded)
            sim.add("insurance_policies")
            sim.add("insurance_policies_mandatory", int(mandatory))
        sim.at(recorded, record)
        if rng.random() < PRE_ASSESSED:
            self._assessment(e, agency, policy, recorded + timedelta(days=rng.randint(1, 4)))
        if rng.random() < TERM_ASSESSED:
            self._assessment(e, agency, policy, start + timedelta(days=rng.randint(30, 150)))

    def _assessment(self, e: dict, agency: dict, policy: dict, when: date) -> None:
        sim = self.sim

        def assess() -> None:
            ident = sim.app.schedule_inspection(
                agency["actor"], enterprise_id=e["id"], kind="insurance_assessment", scheduled_for=when,
                agency_id=agency["id"], basis_id=policy["id"]).id
            sim.app.perform_inspection(agency["actor"], ident, expert_ids=sim.draw().sample(agency["experts"], 2),
                                       performed_on=when)
            sim.app.file_inspection_report(agency["actor"], ident, document_no=f"安责险评估报告{sim.year}-{sim.number()}",
                                           filed_on=when)
            sim.add("inspections_insurance_assessment")
        sim.at(when, assess, e["lane"])

    def _prevention(self, insurer: dict, factor: float) -> None:
        sim = self.sim
        due = prevention_fee(insurer["premiums"], sim.app.insurance_rules.prevention_rate)
        quarter = (due * Decimal(str(factor)) / 4).quantize(Decimal("0.01"))
        if quarter <= 0:
            return
        for q, day in enumerate((date(sim.year, 3, 31), date(sim.year, 6, 30), date(sim.year, 9, 30),
                                 date(sim.year, 12, 20))):
            kind = KINDS[q % len(KINDS)]

            def pay(kind: str = kind, q: int = q, day: date = day) -> None:
                sim.app.record_prevention_service(
                    insurer["actor"], insurer["id"], kind=kind, amount=quarter, paid_on=day,
                    reference=f"YF{sim.year}-{q + 1}", description="安责险事故预防服务（模拟）")
                sim.add("prevention_services")
                sim.add("prevention_paid_fen", int(quarter * 100))
            sim.at(day, pay)

    def summary(self) -> dict[str, Any]:
        t = self.sim.tally
        premiums = sum((i["premiums"] for i in self.insurers), Decimal(0))
        return {"insurers": t["insurers"], "policies": t["insurance_policies"],
                "mandatory_policies": t["insurance_policies_mandatory"],
                "premiums": str(premiums), "prevention_services": t["prevention_services"],
                "prevention_paid": str(Decimal(t["prevention_paid_fen"]) / 100)}
