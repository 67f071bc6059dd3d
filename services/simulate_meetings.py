"""`hazard simulate`'s monthly joint meetings (联席会, seed 003 §五(一); issue 14 §3–§4).

On the 25th of each month the safety committee office (the bureau) refers the overdue hazards
of the townships with the most of them (交办: up to `PER_REFERRAL` hazards each, the oldest
deadlines first), as the meeting's decisions (`meeting` = the month), due in `DUE_DAYS` days.
The township office signs for it one to three days later and answers most of them (`ANSWERED`)
within the due date or a little after; the rest stay open (and show as overdue).

Planned after the rest of the year, with random numbers of its own, so the year's other steps
and figures are the ones they were before meetings were simulated. A meeting step runs alone,
after the day's earlier planned steps (services/simulate_lanes.py: segments in planned order),
so which hazards are overdue that day is the same in every run of a seed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

MEETING_DAY = 25
TOWNSHIPS_PER_MEETING = 3
PER_REFERRAL = 5
DUE_DAYS = 15
ANSWERED = 0.85


class Meetings:
    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self.rng = random.Random(sim.seed * 1_000_033 + 14)

    def plan(self) -> None:
        for month in range(1, 13):
            day = date(self.sim.year, month, MEETING_DAY)
            self.sim.at(day, lambda day=day: self._meet(day))

    def _meet(self, day: date) -> None:
        overdue: dict[str, list[dict]] = {}
        for h in self.sim.hazards:
            if h["id"] and h["status"] == "assigned" and h["deadline"] and h["deadline"] < day:
                overdue.setdefault(h["e"]["township"], []).append(h)
        busiest = sorted(overdue, key=lambda t: (-len(overdue[t]), t))[:TOWNSHIPS_PER_MEETING]
        for township in busiest:
            hazards = sorted(overdue[township], key=lambda h: (h["deadline"], h["id"]))[:PER_REFERRAL]
            self._refer(day, township, [h["id"] for h in hazards])

    def _refer(self, day: date, township: str, hazard_ids: list[str]) -> None:
        sim = self.sim
        referral = sim.app.refer_hazards(
            sim.bureau, hazard_ids=hazard_ids, township=township, due_on=day + timedelta(days=DUE_DAYS),
            instructions="联席会交办：督促企业限期整改逾期隐患，逐条核实整改情况并书面答复",
            referred_on=day, document_no=f"宁安委办交〔{sim.year}〕第{sim.number()}号", meeting=f"{day:%Y-%m}")
        sim.add("referrals")
        office = sim.office[township]
        signed = day + timedelta(days=self.rng.randint(1, 3))
        sim.at(signed, lambda: sim.app.sign_referral(office, referral.id, unit=township, signed_on=signed))
        if self.rng.random() < ANSWERED:
            answered = signed + timedelta(days=self.rng.randint(3, DUE_DAYS + 3))
            sim.at(answered, lambda: self._answer(office, referral.id, township, answered))

    def _answer(self, office: Any, referral_id: Any, township: str, on: date) -> None:
        self.sim.app.answer_referral(office, referral_id, unit=township, answered_on=on,
                                     answer="已逐户督促整改，整改情况已核实，未按期完成的已移交执法")
        self.sim.add("referrals_answered")
