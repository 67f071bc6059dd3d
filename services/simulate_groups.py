"""`hazard simulate`'s mutual-help groups and industry associations (企业互助、行业协会, issue 15 §1–2).

A few township offices form an area group (安全生产协作组) of some of their enterprises in
February; two members send a technician each as the group's experts; the experts inspect each
member once during the year (组内互查) and a non-member of the township now and then (组间互查);
a training (交流研讨) in June. The bureau registers one county-wide association of the largest
sector (行业协会) whose members send three experts; it inspects a third of its members and holds
two trainings. About one group or association inspection in four finds a hazard (source
`mutual_help` / `association`), which then goes through the year's usual lifecycle
(`Simulation._hazard`). At scale 1.0: some 150 groups of up to 12 enterprises, 10 associations.

Planned after the rest of the year with random numbers of its own (`rng`), so every earlier
step and figure stays what it was; the hazards found add to the year's hazards (the summary's
`mutual_help` says how many). Steps on a group or association run alone (no lane: one aggregate many
enterprises touch); inspections and hazards in the enterprise's lane.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from domain.credit_code import make

GROUPS_AT_SCALE_1, ASSOCIATIONS_AT_SCALE_1 = 150, 10
GROUP_MEMBERS, ASSOCIATION_MEMBERS = (4, 12), (6, 20)
INTER_GROUP = 0.3  # a group's chance of inspecting one non-member of its township (组间互查)
FINDS_A_HAZARD = 0.25
TOPICS = ("有限空间作业安全", "消防安全与疏散", "用电安全", "危险作业审批", "隐患自查方法")


class Groups:
    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self.rng = random.Random(sim.seed * 1_000_037 + 15)

    def plan(self) -> None:
        sim = self.sim
        by_township: dict[str, list[dict]] = {}
        for e in sim.enterprises:
            by_township.setdefault(e["township"], []).append(e)
        towns = sorted(t for t, es in by_township.items() if len(es) >= GROUP_MEMBERS[0] + 1)
        n = min(len(towns), max(1, round(GROUPS_AT_SCALE_1 * sim.scale)))
        for i, township in enumerate(self.rng.sample(towns, n)):
            pool = by_township[township]
            members = self.rng.sample(pool, min(len(pool) - 1, self.rng.randint(*GROUP_MEMBERS)))
            outsiders = [e for e in pool if e not in members]
            self._group(i, township, members, outsiders)
        by_sector: dict[str, list[dict]] = {}
        for e in sim.enterprises:
            by_sector.setdefault(e["sector"], []).append(e)
        sectors = sorted(by_sector, key=lambda s: (-len(by_sector[s]), s))
        for i in range(max(1, round(ASSOCIATIONS_AT_SCALE_1 * sim.scale))):
            sector = sectors[i % len(sectors)]
            pool = by_sector[sector]
            members = self.rng.sample(pool, min(len(pool), self.rng.randint(*ASSOCIATION_MEMBERS)))
            self._association(i, sector, members)

    # --- a township's group --------------------------------------------------------------------
    def _group(self, i: int, township: str, members: list[dict], outsiders: list[dict]) -> None:
        sim, office = self.sim, self.sim.office[township]
        body: dict = {"id": None, "experts": [], "form": "group", "count": "group"}
        founded = date(sim.year, 2, self.rng.randint(1, 20))
        name = f"{sim.app.reference.townships[township]}安全生产协作组{i + 1}"
        senders = self.rng.sample(members, min(2, len(members)))

        def form() -> None:
            body["id"] = sim.app.form_group(office, name=name, township=township, founded_on=founded).id
            for e in members:
                sim.app.add_group_member(office, "group", body["id"], enterprise_id=e["id"], joined_on=founded)
            for k, e in enumerate(senders):
                body["experts"].append(sim.app.add_group_expert(
                    office, "group", body["id"], enterprise_id=e["id"], name=f"互助专家{i + 1}-{k + 1}",
                    certificate_no=f"HZ{sim.year}-{sim.seed % 100:02d}{i:03d}{k}").id)
            sim.add("groups")
            sim.add("group_members", len(members))
        sim.at(founded, form)
        for e in members:
            self._inspection(body, e, "mutual", self._later(founded), office)
        if outsiders and self.rng.random() < INTER_GROUP:
            self._inspection(body, self.rng.choice(outsiders), "inter_group", self._later(founded), office)
        self._training(body, office, date(sim.year, 6, self.rng.randint(1, 28)), members)

    # --- an association of a sector ---------------------------------------------------------------
    def _association(self, i: int, sector: str, members: list[dict]) -> None:
        sim = self.sim
        body: dict = {"id": None, "experts": [], "form": "association", "count": "association"}
        founded = date(sim.year, 1, self.rng.randint(10, 31))
        name = f"宁海县{sim.app.reference.sectors[sector]}行业协会" + (f"（{i + 1}）" if i else "")
        code = make(f"51330226{sim.seed % 100:02d}X{i:06d}")
        senders = self.rng.sample(members, min(3, len(members)))

        def form() -> None:
            body["id"] = sim.app.form_association(sim.bureau, credit_code=code, name=name, sector=sector,
                                                  founded_on=founded).id
            for e in members:
                sim.app.add_group_member(sim.bureau, "association", body["id"], enterprise_id=e["id"],
                                         joined_on=founded)
            for k, e in enumerate(senders):
                body["experts"].append(sim.app.add_group_expert(
                    sim.bureau, "association", body["id"], enterprise_id=e["id"],
                    name=f"协会专家{i + 1}-{k + 1}", certificate_no=f"XH{sim.year}-{sim.seed % 100:02d}{i:03d}{k}").id)
            sim.add("associations")
            sim.add("association_members", len(members))
        sim.at(founded, form)
        for e in self.rng.sample(members, max(1, len(members) // 3)):
            self._inspection(body, e, "association", self._later(founded), sim.bureau)
        for month in (4, 10):
            self._training(body, sim.bureau, date(sim.year, month, self.rng.randint(1, 28)), members)

    # --- shared ------------------------------------------------------------------------------------
    def _later(self, after: date) -> date:
        return after + timedelta(days=self.rng.randint(20, 300))

    def _inspection(self, body: dict, e: dict, kind: str, when: date, who: Any) -> None:
        sim = self.sim
        insp = {"id": None, "enterprise": e, "agency": None, "on": when, "kind": kind}

        def schedule_and_perform() -> None:
            insp["id"] = sim.app.schedule_inspection(who, enterprise_id=e["id"], kind=kind,
                                                     basis_id=body["id"], scheduled_for=when).id
            sim.app.perform_inspection(sim.bureau, insp["id"], expert_ids=sim.draw().sample(
                body["experts"], min(2, len(body["experts"]))), performed_on=when)
            sim.add(f"inspections_{kind}")
        if not sim.at(when, schedule_and_perform, e["lane"]):
            return
        if self.rng.random() < FINDS_A_HAZARD:
            source = "mutual_help" if body["form"] == "group" else "association"
            sim.add(f"{body['count']}_hazards")
            sim._hazard(e, who, source, when, insp)  # the year's lifecycle, with its random numbers

    def _training(self, body: dict, who: Any, held: date, members: list[dict]) -> None:
        sim = self.sim
        attending = self.rng.sample(members, max(1, round(len(members) * 0.8)))
        topic = self.rng.choice(TOPICS)

        def train() -> None:
            sim.app.record_group_training(who, body["form"], body["id"], held_on=held, topic=topic,
                                          hours="2", attendee_ids=[e["id"] for e in attending])
            sim.add(f"{body['count']}_trainings")
        sim.at(held, train)
