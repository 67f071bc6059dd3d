"""`hazard simulate`'s service platform, 绩效评比 and 考评 (issue 15 §5, §6).

- 服务平台: about `NEED_SHARE` of the enterprises post a need in the
  first nine months; one to three agencies of the pool offer within ten days; the enterprise
  accepts one (`ACCEPTED`) a few days after the last offer — a contract both sides signed —,
  withdraws (`WITHDRAWN`) or leaves it open. Accepted contracts run 3 to 6 months.
- 绩效评比: an enterprise whose platform contract has ended by 31 December rates its agency on
  that day (`RATED` of them; the monthly contracts run into the next year).
- 考评: on 31 December the bureau scores every township and sector regulator and the enterprises
  that found hazards (`SCORED_ENTERPRISES` of them); the reward fund (30万, 003 §五(四)1) is set
  up on 15 January and allocated on 31 December among the townships, regulators and enterprises
  whose simulated hazards were closed most, and two agencies, within the fund.

Planned after the rest of the year with random numbers of its own (like the joint meetings), so
the year's other steps and figures are what they were; every step runs alone (no lane), in
planned order, so a seed gives the same year on one thread or several.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from domain.assessment import SCORED

NEED_SHARE = 0.02
ACCEPTED, WITHDRAWN = 0.7, 0.1
RATED = 0.8
SCORED_ENTERPRISES = 0.5
FUND = Decimal(300_000)
# not `monthly`: the simulation schedules the monthly inspections of the year's monthly contracts
# only (services/simulate.py), so a monthly contract from the platform would show missed months
SERVICES = ("comprehensive", "training", "standardisation", "consulting")
NEEDS = {"comprehensive": "一次全面隐患排查",
         "training": "全员安全生产培训", "standardisation": "安全生产标准化建设辅导",
         "consulting": "安全管理制度和操作规程完善咨询"}


class Platform:
    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self.rng = random.Random(sim.seed * 1_000_037 + 15)
        self.ended: list[tuple[dict, dict, date]] = []  # (enterprise, contract, its end) to rate

    def plan(self) -> None:
        sim, year = self.sim, self.sim.year
        for e in sim.enterprises:
            if self.rng.random() < NEED_SHARE:
                self._need(e, date(year, 1, 1) + timedelta(days=self.rng.randint(0, 270)))
        sim.at(date(year, 1, 15), self._fund)
        sim.at(sim.end, self._year_end)

    # --- the platform ----------------------------------------------------------------------------
    def _need(self, e: dict, posted: date) -> None:
        sim, rng = self.sim, self.rng
        wanted = sorted(rng.sample(SERVICES, rng.randint(1, 2)))
        need: dict = {"id": None, "offers": []}
        pool = rng.sample(sim.agencies, min(len(sim.agencies), rng.randint(1, 3)))

        def post() -> None:
            need["id"] = sim.app.post_need(e["actor"], enterprise_id=e["id"], services=wanted,
                                           description="；".join(NEEDS[s] for s in wanted)).id
            sim.add("needs")
        if not sim.at(posted, post):
            return
        last = posted
        for agency in pool:
            offered = posted + timedelta(days=rng.randint(1, 10))
            last = max(last, offered)
            start = offered + timedelta(days=rng.randint(7, 20))
            terms = {"service": rng.choice(wanted), "start": start,
                     "end": start + timedelta(days=rng.randint(90, 180)),
                     "fee": rng.randrange(2000, 12000, 100)}
            sim.at(offered, lambda agency=agency, terms=terms, offered=offered: self._offer(need, agency, terms))
        fate = rng.random()
        decided = last + timedelta(days=rng.randint(2, 10))
        if fate < ACCEPTED:
            pick = rng.random()
            sim.at(decided, lambda: self._accept(e, need, pick))
        elif fate < ACCEPTED + WITHDRAWN:
            sim.at(decided, lambda: self._withdraw(e, need))

    def _offer(self, need: dict, agency: dict, terms: dict) -> None:
        sim = self.sim
        offer = sim.app.offer_on_need(agency["actor"], need["id"], agency_id=agency["id"],
                                      terms=f"每次排查由 {self.rng.randint(1, 3)} 名专家到场，出具书面报告", **terms).id
        need["offers"].append((offer, terms))
        sim.add("offers")

    def _accept(self, e: dict, need: dict, pick: float) -> None:
        if not need["offers"]:
            return
        offer, terms = min(need["offers"], key=lambda o: (o[1]["fee"], o[0])) if pick < 0.6 \
            else need["offers"][0]
        contract = self.sim.app.accept_offer(e["actor"], need["id"], offer_id=offer)
        self.sim.add("needs_accepted")
        self.ended.append((e, {"id": contract.id}, terms["end"]))

    def _withdraw(self, e: dict, need: dict) -> None:
        self.sim.app.withdraw_need(e["actor"], need["id"], reason="已另行委托服务机构")
        self.sim.add("needs_withdrawn")

    # --- the year's end: ratings, 考评 scores, the reward fund -----------------------------------------
    def _fund(self) -> None:
        sim = self.sim
        sim.app.establish_reward_fund(sim.bureau, year=sim.year, amount=FUND,
                                      document_no=f"宁政办〔{sim.year}〕第{sim.number()}号",
                                      decided_on=date(sim.year, 1, 15))

    def _year_end(self) -> None:
        sim, rng = self.sim, self.rng
        for e, contract, last in self.ended:
            if last <= sim.end and rng.random() < RATED:
                sim.app.rate_agency(e["actor"], contract_id=contract["id"], rated_on=sim.end,
                                    scores={k: rng.randint(60, 100) for k in ("quality", "attitude", "effect")},
                                    comment=rng.choice(("排查认真，报告规范", "服务及时", "整改指导较少", "")))
                sim.add("ratings")
        for kind, parties in (("township", sim.townships), ("regulator", list(sim.regulator))):
            for party in parties:
                self._score(kind, party)
        found = sorted({h["e"]["lane"]: h["e"] for h in sim.hazards if h["id"]}.items())
        for _, e in found:
            if rng.random() < SCORED_ENTERPRISES:
                self._score("enterprise", e["id"])
        self._allocate()

    def _score(self, kind: str, party: str) -> None:
        self.sim.app.score_party(self.sim.bureau, kind=kind, assessed=party, year=self.sim.year,
                                 scores={k: self.rng.randint(55, 100) for k in SCORED[kind]})
        self.sim.add("assessments")

    def _allocate(self) -> None:
        sim = self.sim
        closed = [h for h in sim.hazards if h["id"] and h["status"] == "closed"]
        best = lambda key: [k for k, _ in sorted(Counter(map(key, closed)).items(),  # noqa: E731
                                                 key=lambda kv: (-kv[1], str(kv[0])))]
        awards = [{"kind": "township", "recipient": t, "amount": 40000, "reason": "隐患整改销号领先"}
                  for t in best(lambda h: h["e"]["township"])[:3]]
        awards += [{"kind": "regulator", "recipient": s, "amount": 30000, "reason": "督导整改、执法到位"}
                   for s in best(lambda h: h["e"]["sector"])[:2]]
        ids = {h["e"]["lane"]: h["e"]["id"] for h in closed}
        awards += [{"kind": "enterprise", "recipient": ids[i], "amount": 10000, "reason": "积极配合检查、及时整改"}
                   for i in best(lambda h: h["e"]["lane"])[:5]]
        awards += [{"kind": "agency", "recipient": a["id"], "amount": 15000, "reason": "考评优秀"}
                   for a in sim.agencies[:2]]
        if awards:
            sim.app.allocate_reward_fund(sim.bureau, sim.year, awards=awards, decided_on=sim.end,
                                         document_no=f"宁政办〔{sim.year}〕第{sim.number()}号")
            sim.add("reward_allocated", sum(a["amount"] for a in awards))
