"""`hazard simulate`'s smart electricity (智慧用电, seed 001 §二; issue 15 §4).

A share of the enterprises (`WITH_DEVICES`) have monitoring devices from the start of the year.
Each month a device reports a few isolated alarms (`MONTHLY_ALARMS` on average: overloads the most,
arcs the fewest), never three of a kind within the county's window; in some months
(`BURST_MONTHS`) one kind bursts — the policy's count of alarms within a few hours — and the
command raises a hazard (source 智慧用电监测). The enterprise then deals with it like any general
hazard: responsibility and deadline, rectification, the township's review and closure (the
simulation's own steps, `Simulation._assign` and `_rectify_and_close`).

Planned after the rest of the year, with random numbers of its own (and the simulation's only
after every other plan has drawn), so the year's other steps and figures are the ones they were
before alarms were simulated. The raised hazards are counted apart (`summary["electricity"]`),
not in `hazards`: the papers' 44,828 are the other forms' finds.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.actor import Actor, Role

TZ = ZoneInfo("Asia/Shanghai")
WITH_DEVICES = 0.08
MONTHLY_ALARMS = 1.5
BURST_MONTHS = 0.05
KINDS = {"overload": 50, "leakage": 25, "over_temperature": 20, "arc": 5}
READINGS = {"overload": (32, 63), "leakage": (30, 300), "over_temperature": (70, 110), "arc": (1, 5)}


class Electricity:
    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self.rng = random.Random(sim.seed * 1_000_037 + 15)
        self.raised: list[dict] = []
        self.device = Actor("sim-devices", Role.DEVICE, "智慧用电设备（模拟）")
        self._numbers = itertools.count(1)  # the alarms' ids, unique in the year

    def plan(self) -> None:
        policy = self.sim.app.electricity_policy
        gap = max(2, -(-policy.within_hours // 24) + 1)  # days between isolated alarms of a kind
        chosen = self.rng.sample(self.sim.enterprises, round(WITH_DEVICES * len(self.sim.enterprises)))
        for e in chosen:
            self.sim.add("electricity_enterprises")
            last: dict[str, date] = {}
            for month in range(1, 13):
                first = date(self.sim.year, month, 1)
                days = ((first.replace(month=month + 1) if month < 12 else date(self.sim.year + 1, 1, 1)) - first).days
                burst = self.rng.random() < BURST_MONTHS
                kinds = list(KINDS)
                for _ in range(self._poisson(MONTHLY_ALARMS)):
                    kind = self.rng.choices(kinds, [KINDS[k] for k in kinds])[0]
                    day = first + timedelta(days=self.rng.randrange(days))
                    if kind in last and abs((day - last[kind]).days) < gap:
                        continue  # isolated: never near another of its kind
                    last[kind] = day
                    self._alarm(e, kind, self._moment(day))
                if burst:
                    kind = self.rng.choices(kinds, [KINDS[k] for k in kinds])[0]
                    day = first + timedelta(days=self.rng.randrange(days))
                    if kind in last and abs((day - last[kind]).days) < 2 * gap:
                        continue
                    last[kind] = day
                    self._burst(e, kind, day, policy.alarms)

    def _poisson(self, mean: float) -> int:
        n, p, limit = 0, 1.0, 2.718281828459045 ** -mean
        while True:
            p *= self.rng.random()
            if p < limit:
                return n
            n += 1

    def _moment(self, day: date) -> datetime:
        return datetime.combine(day, time(self.rng.randint(0, 23), self.rng.randint(0, 59)), TZ)

    def _burst(self, e: dict, kind: str, day: date, count: int) -> None:
        start = datetime.combine(day, time(self.rng.randint(6, 14), self.rng.randint(0, 59)), TZ)
        h = {"id": None, "status": None, "deadline": None, "e": e, "insp": None, "level": "general",
             "source": "smart_electricity", "found": day, "criterion": None,
             "agency": self.sim.by_township[e["township"]]}
        for n in range(count + self.rng.randint(0, 2)):  # the policy's count, and some that join
            self._alarm(e, kind, start + timedelta(minutes=25 * n + self.rng.randint(0, 20)), hazard=h)
        self.raised.append(h)
        deadline = day + timedelta(days=self.rng.choice((7, 15, 30)))
        assigned = day + timedelta(days=self.rng.randint(0, 3))
        if self.sim._assign(h, assigned, deadline):
            self.sim._rectify_and_close(h, assigned, deadline, joint=False)

    def _alarm(self, e: dict, kind: str, at: datetime, *, hazard: dict | None = None) -> None:
        low, high = READINGS[kind]
        reading, number = self.rng.randint(low, high), next(self._numbers)

        def post() -> None:
            answer = self.sim.app.post_alarm(
                self.device, device_enterprise=e["id"], enterprise_id=e["id"], device_id=f"DB-{e['lane'] + 1:04d}",
                alarm_id=f"{self.sim.seed}-{e['lane']}-{number}", kind=kind, reading=reading, occurred_at=at)
            self.sim.add("electricity_alarms")
            if answer.raised:
                self.sim.add("electricity_hazards")
                if hazard is not None:
                    hazard.update(id=answer.hazard_id, status="reported")
        self.sim.at(at.date(), post, e["lane"])

    def summary(self) -> dict[str, int]:
        status = [h["status"] for h in self.raised]
        return {"enterprises_with_devices": self.sim.tally["electricity_enterprises"],
                "alarms": self.sim.tally["electricity_alarms"],
                "hazards_raised": self.sim.tally["electricity_hazards"],
                "rectified": sum(s in ("rectified", "closed") for s in status),
                "closed": status.count("closed")}
