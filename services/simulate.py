"""`hazard simulate`: a county-year of socialised safety services through the real commands.

Seed 004 (Ninghai, 2015) is the yardstick at scale 1.0: some 30,000 enterprises, 3,260
with a comprehensive inspection (全面排查) bought by the county, 720 with a monthly
inspection contract (按月排查), 44,828 hazards found (mostly general, ~1.5 % major, part of
those listed for supervision 挂牌督办), rectified, reviewed and closed — with delays,
extensions, failed reviews, overdue cases, enforcement by the sector regulators and a few
withdrawn false reports. Every step is a `HazardLedger` command with an actor of the right
role and a business date in the simulated year; steps run in business-date order, each with
the application's "today" set to its day (as if entered that day: a monthly contract is proposed
by the agency and countersigned by the enterprise on its first day, not back-dated). The same
seed and scale give the same workload and the same figures (aggregate ids created with uuid4
aside), on one thread or on several: with `threads` > 1 a day's steps for different enterprises
run side by side (`services.simulate_lanes`), so the store's events of one day interleave
differently from run to run while each aggregate's events, and every figure, stay the same.
Field work — checklists on inspections, photos on a share of reports and rectifications,
enterprises' monthly self-reports — is planned last, by `services.simulate_fieldwork`.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TextIO

from domain.actor import Actor, Role
from domain.credit_code import make
from domain.working_days import OutsideCalendar
from infra.criteria import Checklists
from services.errors import AlreadyRegistered
from services.simulate_fieldwork import Fieldwork, county_checklists
from services.simulate_insurance import Insurance
from services.simulate_groups import Groups
from services.simulate_lanes import Runner, Step
from services.simulate_electricity import Electricity
from services.simulate_meetings import Meetings
from services.simulate_platform import Platform

NINGHAI = {"enterprises": 30_000, "comprehensive": 3_260, "monthly": 720, "hazards": 44_828}
SECTORS = {"trade": 50, "construction": 8, "chem": 4, "transport": 6, "public": 5, "urban": 5,
           "tourism": 5, "metallurgy": 3, "mining": 1, "fireworks": 1, "other": 12}
SCALES = {"small_micro": 72, "individual": 20, "above_size": 8}
OTHER_SOURCES = {"government_check": 0.02, "public_tip": 0.01, "grid": 0.01, "self_check": 0.01}
FINDINGS = ("消防通道堵塞", "配电箱未接地", "防护罩缺失", "灭火器过期", "安全警示标志缺失")
WORDS = ("五金", "模具", "电器", "塑料", "文具", "服饰", "机械", "食品", "家具", "建材", "汽配", "灯具")
PLAN = {"objectives": "消除隐患并建立长效机制", "measures": "停用相关设备，按方案整改",
        "funds": "专项资金到位", "organisation": "企业负责人牵头，安全员落实",
        "timeline": "整改期限内完成", "safety_measures": "整改期间专人监护，备足应急器材"}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


class Simulation:
    """Plans a county-year, then runs its steps through the application in date order."""

    def __init__(self, ledger: Any, *, seed: int, scale: float, year: int = 2025,
                 progress: TextIO | None = None, threads: int = 1,
                 checklists: Checklists | None = None) -> None:
        self.app, self.rng, self.year, self.scale = ledger, random.Random(seed), year, scale
        self.seed, self.progress, self.threads = seed, progress, threads
        self._lock = threading.Lock()  # the tallies, counted from the lanes' threads
        self._running = threading.local()  # the step this thread runs
        self.end = date(year, 12, 31)
        if ledger.today() < self.end:
            raise ValueError(f"the application's today ({ledger.today()}) is before {self.end}")
        self._steps: list[tuple[date, int, Step]] = []
        self._seq = itertools.count()
        self.tally: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.hazards: list[dict] = []
        ref = ledger.reference
        self.townships = list(ref.townships)
        self.bureau = Actor("sim-bureau", Role.BUREAU, "县应急管理局（模拟）")
        self.office = {t: Actor(f"sim-township-{t}", Role.TOWNSHIP, f"{n}安监办") for t, n in ref.townships.items()}
        self.regulator = {s: Actor(f"sim-regulator-{s}", Role.REGULATOR, f"{n}主管部门") for s, n in ref.sectors.items()}
        self.fieldwork = Fieldwork(self, checklists or county_checklists(ledger))  # 检查表、照片、自查自报

    # --- scheduling ----------------------------------------------------------------------------
    def day(self, start: date, lo: int, hi: int) -> date:
        return start + timedelta(days=self.rng.randint(lo, hi))

    def at(self, when: date, step: Callable[[], Any], lane: int | None = None) -> bool:
        """Schedule a step on a business date, in the lane of the enterprise it touches (None: a
        step the rest of the day may depend on); steps after the year's end never happen."""
        if when > self.end:
            return False
        seq = next(self._seq)
        heapq.heappush(self._steps, (when, seq, Step(seq, lane, step)))
        return True

    def add(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.tally[key] += n

    def count(self, key: str, n: int = 1) -> Callable[[Any], Any]:
        def done(result: Any) -> Any:
            self.add(key, n)
            return result
        return done

    def draw(self) -> random.Random:
        """The running step's own random numbers (the same whichever thread runs it, whenever)."""
        return random.Random(self.seed * 1_000_003 + self._running.step.seq)

    def number(self) -> int:
        """A document number of the running step's own (unique in the year)."""
        return self._running.step.seq

    # --- parties and contracts -----------------------------------------------------------------
    def plan_parties(self) -> None:
        n_agencies = max(2, min(10, round(100 * self.scale)))
        self.agencies = [self._agency(i) for i in range(n_agencies)]
        self.by_township = {t: self.agencies[i % n_agencies] for i, t in enumerate(self.townships)}
        self.enterprises = [self._enterprise(i) for i in range(round(NINGHAI["enterprises"] * self.scale))]

    def _agency(self, i: int) -> dict:
        a = {"id": None, "experts": [], "actor": Actor(f"sim-agency-{i}", Role.AGENCY, f"宁海安评咨询{i + 1}号")}
        code = make(f"91330226{self.seed % 100:02d}A{i:06d}")
        start = date(self.year, 1, 1)

        def register() -> None:  # a step of no lane: runs alone, in planned order (self.rng is safe)
            a["id"] = self.app.register_agency(self.bureau, credit_code=code, name=f"宁海县安全咨询服务{i + 1}有限公司").id
            for k in range(self.rng.randint(3, 6)):
                a["experts"].append(self.app.add_expert(a["actor"], a["id"], name=f"专家{i + 1}-{k + 1}",
                                                         certificate_no=f"ZJ{self.year}-{i:02d}{k:02d}").id)
            self.app.admit_agency_to_pool(self.bureau, a["id"], admitted_on=start)
            self.add("agencies")
            self.add("experts", len(a["experts"]))
        self.at(start, register)
        return a

    def _enterprise(self, i: int) -> dict:
        t = self.rng.choice(self.townships)
        e = {"id": None, "lane": i, "township": t, "sector": _pick(self.rng, SECTORS),
             "actor": Actor(f"sim-enterprise-{i}", Role.ENTERPRISE, "企业安全员")}
        name = f"宁海县{self.app.reference.townships[t][:2]}{self.rng.choice(WORDS)}厂{i + 1}号"
        code, scale = make(f"91330226{self.seed % 100:02d}{i:07d}"), _pick(self.rng, SCALES)
        e["scale"] = scale

        def register() -> None:
            e["id"] = self.app.register_enterprise(self.office[t], credit_code=code, name=name, township=t,
                                                   sector=e["sector"], scale=scale).id
            self.add("enterprises")
        self.at(date(self.year, 1, 1), register, e["lane"])
        return e

    def plan_agreements(self) -> None:
        """The county buys comprehensive inspections (政府购买服务) from each agency for its townships."""
        for a in self.agencies:
            towns = [t for t, x in self.by_township.items() if x is a]

            def sign(a: dict = a, towns: list = towns) -> None:
                a["basis"] = self.app.sign_agreement(
                    self.bureau, agency_id=a["id"], townships=towns, sectors=list(SECTORS),
                    start=date(self.year, 1, 1), end=self.end, budget=200 * 3260 * self.scale / len(self.agencies) + 1,
                    prices={"comprehensive": 200, "monthly": 360}).id
                self.add("agreements")
            self.at(date(self.year, 1, 1), sign)

    # --- inspections ---------------------------------------------------------------------------
    def plan_inspections(self) -> list[tuple[dict, int]]:
        """Comprehensive inspections, monthly contracts and their inspections, self-checks."""
        chosen = self.rng.sample(self.enterprises, round(NINGHAI["comprehensive"] * self.scale))
        done = [(self._inspection(e, "comprehensive", self.day(date(self.year, 3, 1), 0, 274), None), 4)
                for e in chosen]
        self.tally["comprehensive_enterprises"] = len(chosen)
        n_monthly = round(NINGHAI["monthly"] * self.scale)
        signed = self.rng.sample(chosen, min(len(chosen), round(0.7 * n_monthly)))
        taken = {id(e) for e in signed}
        others = [e for e in self.enterprises if id(e) not in taken]
        signed += self.rng.sample(others, min(len(others), n_monthly - len(signed)))
        for e in signed:
            done += [(i, 1) for i in self._monthly(e)]
        for e in self.rng.sample(self.enterprises, round(0.03 * len(self.enterprises))):
            self._inspection(e, "self", self.day(date(self.year, 2, 1), 0, 300), None)
        return done

    def _monthly(self, e: dict) -> list[dict]:
        start = date(self.year, self.rng.randint(1, 4), 1)
        contract: dict = {"id": None}
        agency = self.by_township[e["township"]]

        def sign() -> None:  # the agency proposes, the enterprise countersigns (会签) the same day
            contract["id"] = self.app.propose_contract(
                agency["actor"], enterprise_id=e["id"], agency_id=agency["id"], service="monthly", start=start,
                end=date(start.year + 1, start.month, 1) - timedelta(days=1), fee=3600).id
            self.app.countersign_contract(e["actor"], contract["id"])
            self.add("monthly_contracts")
        self.at(start, sign, e["lane"])
        return [self._inspection(e, "monthly", date(self.year, m, self.rng.randint(3, 25)), contract)
                for m in range(start.month, 13)]

    def _inspection(self, e: dict, kind: str, when: date, contract: dict | None) -> dict:
        agency = None if kind == "self" else self.by_township[e["township"]]
        insp = {"id": None, "enterprise": e, "agency": agency, "on": when, "kind": kind}
        who = e["actor"] if agency is None else agency["actor"]

        def schedule_and_perform() -> None:
            basis = contract["id"] if contract else (agency["basis"] if agency else None)
            insp["id"] = self.app.schedule_inspection(
                who, enterprise_id=e["id"], kind=kind, scheduled_for=when,
                agency_id=agency and agency["id"], basis_id=basis).id
            experts = [] if agency is None else self.draw().sample(agency["experts"], 2)
            self.app.perform_inspection(who, insp["id"], expert_ids=experts, performed_on=when)
            self.add(f"inspections_{kind}")
        self.at(when, schedule_and_perform, e["lane"])
        if agency is not None and self.rng.random() < (0.95 if kind == "comprehensive" else 0.6):
            filed = self.day(when, 1, 10)
            self.at(filed, lambda: self.count("reports_filed")(self.app.file_inspection_report(
                who, insp["id"], document_no=f"排查报告-{insp['id'][:8]}", filed_on=filed)), e["lane"])
        return insp

    # --- hazards -------------------------------------------------------------------------------
    def plan_hazards(self, inspections: list[tuple[dict, int]]) -> None:
        """44,828 × scale hazards: most found by the agencies' inspections, some by others."""
        total = round(NINGHAI["hazards"] * self.scale)
        others = {s: round(total * p) for s, p in OTHER_SOURCES.items()}
        if inspections:
            found = self.rng.choices([i for i, _ in inspections], [w for _, w in inspections],
                                     k=total - sum(others.values()))
        else:
            found, others["government_check"] = [], total - sum(others.values()) + others["government_check"]
        for insp in found:
            self._hazard(insp["enterprise"], insp["agency"]["actor"], "inspection", insp["on"], insp)
        for source, n in others.items():
            for _ in range(n):
                e = self.rng.choice(self.enterprises)
                who = {"government_check": self.regulator[e["sector"]],
                       "self_check": e["actor"]}.get(source, self.office[e["township"]])
                self._hazard(e, who, source, self.day(date(self.year, 1, 5), 0, 345), None)

    def _hazard(self, e: dict, reporter: Actor, source: str, found: date, insp: dict | None) -> None:
        reported = "major" if self.rng.random() < (0.015 if source == "inspection" else 0.03) else "general"
        h = {"id": None, "status": None, "deadline": None, "e": e, "insp": insp, "level": reported,
             "source": source, "found": found, "criterion": None,  # cited: a failed checklist item's
             "agency": (insp or {}).get("agency") or self.by_township[e["township"]]}
        self.hazards.append(h)

        def report() -> None:
            rng = self.draw()
            h["id"] = self.app.report_hazard(
                reporter, enterprise_id=e["id"], source=source, level=reported,
                category=rng.choice(("unsafe_condition", "unsafe_condition", "unsafe_act", "management_defect")),
                description=f"{rng.choice(WORDS)}车间{rng.choice(FINDINGS)}",
                inspection_id=insp and insp["id"], discovered_on=found, criterion=h["criterion"],
                evidence=self.fieldwork.evidence(reporter, e, agency=(insp or {}).get("agency"))).id
            h["status"] = "reported"
            self.add("hazards")
            self.add(f"hazards_{reported}")
        self.at(found, report, e["lane"])
        level = reported
        if level == "major" and self.rng.random() < 0.05:
            self.at(found, lambda: self.count("regraded")(self.app.regrade_hazard(
                self.bureau, h["id"], level="general", reason="复核后认定为一般隐患")), e["lane"])
            level = "general"
        (self._major if level == "major" else self._general)(h, found)

    def _set(self, h: dict, **state: Any) -> Callable[[Any], Any]:
        def done(result: Any) -> Any:
            h.update(state)
            return result
        return done

    def _general(self, h: dict, found: date) -> None:
        e, office = h["e"], self.office[h["e"]["township"]]
        if self.rng.random() < 0.004:  # a false report, withdrawn with the township's approval
            self.at(self.day(found, 1, 10), lambda: self._set(h, status="withdrawn")(
                self.app.withdraw_hazard(office, h["id"], reason="经核实为误报")), e["lane"])
            return
        late_start = self.rng.random() < 0.03
        assigned = self.day(found, 8, 20) if late_start else self.day(found, 0, 3)
        deadline = assigned + timedelta(days=self.rng.choice((7, 15, 30, 30, 45, 60)))
        if self._assign(h, assigned, deadline):
            earliest, deadline = self._maybe_extend(h, assigned, deadline)
            self._rectify_and_close(h, earliest, deadline, joint=False)

    def _major(self, h: dict, found: date) -> None:
        e = h["e"]
        assigned = self.day(found, 0, 2)
        deadline = assigned + timedelta(days=self.rng.randint(60, 120))
        if not self._assign(h, assigned, deadline):
            return
        filed = self.day(assigned, 1, 7)
        self.at(filed, lambda: self.app.file_rectification_plan(e["actor"], h["id"], parts=PLAN, filed_on=filed),
                e["lane"])
        if self.rng.random() < 0.9:
            kind = _pick(self.rng, {"order_rectification": 70, "suspend": 20, "fine": 10})
            self._enforce(h, self.day(found, 1, 10), kind)
        if self.rng.random() < 0.4:
            self._list(h, self.day(found, 0, 2), deadline)  # before any rectification can be reported
        self._rectify_and_close(h, filed, deadline, joint=True)

    def _list(self, h: dict, listed: date, deadline: date) -> None:
        """挂牌督办 as the paperwork (issue 14 §1): the notice issued, served one to three days
        later, signed for by the enterprise the same day or the next; deadlines from 签收."""
        e = h["e"]
        level = _pick(self.rng, {"county": 70, "city": 25, "province": 5})
        government = {"county": "宁海县人民政府", "city": "宁波市人民政府", "province": "浙江省人民政府"}[level]
        served = self.day(listed, 1, 3)
        signed = self.day(served, 0, 1)
        finish_days = max(30, min((deadline - signed).days, 1095))
        self.at(listed, lambda: self.count("supervised")(self.app.issue_listing(
            self.bureau, h["id"], level=level, government=government,
            department=government.removesuffix("人民政府") + "应急管理局",
            document_no=f"宁安委办〔{self.year}〕第{self.number()}号", finish_days=finish_days,
            plan_days=15, signatory="分管副县长", issued_on=listed)), e["lane"])
        self.at(served, lambda: self.app.serve_listing(self.bureau, h["id"], served_by="县应急管理局 送达员",
                                                       served_on=served), e["lane"])
        self.at(signed, lambda: self.app.sign_listing(e["actor"], h["id"], signed_by="企业负责人",
                                                      signed_on=signed), e["lane"])

    def _assign(self, h: dict, on: date, deadline: date) -> bool:
        return self.at(on, lambda: self._set(h, status="assigned", deadline=deadline)(
            self.app.assign_responsibility(h["e"]["actor"], h["id"], responsible_person="安全员 张三",
                                           deadline=deadline, assigned_on=on)), h["e"]["lane"])

    def _maybe_extend(self, h: dict, assigned: date, deadline: date) -> tuple[date, date]:
        """2 % apply on paper for an extension (纸质延期申请) on the last day the notice allows
        (policy working days before the deadline); the township approves it a few days later
        (`extend`, issue 14 §2). A deadline too close to the assignment gets none."""
        if self.rng.random() >= 0.02:
            return assigned, deadline
        gap = self.rng.randint(1, 5)
        later = deadline + timedelta(days=self.rng.randint(15, 30))
        calendar, days = self.app.extension_rules()
        try:
            asked = calendar.subtract_working_days(deadline, days) if days else deadline
        except OutsideCalendar:  # a year the working calendar does not cover
            return assigned, deadline
        if asked < assigned:
            return assigned, deadline
        decided = min(asked + timedelta(days=gap), deadline)
        self.at(decided, lambda: self._set(h, deadline=later)(self.app.extend_deadline(
            self.office[h["e"]["township"]], h["id"], deadline=later, reason="设备采购周期长",
            requested_on=asked, decided_on=decided)), h["e"]["lane"])
        return decided, later

    def _enforce(self, h: dict, on: date, kind: str = "order_rectification") -> None:
        self.at(on, lambda: self.count("enforcement")(self.app.record_enforcement(
            self.regulator[h["e"]["sector"]], h["id"], kind=kind,
            document_no=f"宁应急责改〔{self.year}〕{self.number()}号", taken_on=on)), h["e"]["lane"])

    def _rectify_and_close(self, h: dict, earliest: date, deadline: date, *, joint: bool) -> None:
        """On time (90 %), late (7 %, mostly with enforcement) or not at all (3 %)."""
        fate = self.rng.random()
        if fate < 0.90:
            done: date | None = self.day(earliest, 1, max(1, (deadline - earliest).days))
        else:
            done = self.day(deadline, 3, 40) if fate < 0.97 else None
        if (done is None or done > deadline) and self.rng.random() < 0.8:
            window = (done - deadline).days - 1 if done else 15
            self._enforce(h, self.day(deadline, 1, max(1, window)))
        while done is not None and self._rectify(h, done):
            reviewed = self.day(done, 1, 10)
            if self.rng.random() < (0.05 if joint else 0.03):  # the review fails: rectify again
                self._review(h, reviewed, joint, passed=False)
                done = self.day(reviewed, 3, 10)
                continue
            last = self._review(h, reviewed, joint, passed=True)
            if joint:
                last = self.day(last, 1, 5)
                self.at(last, lambda: self.app.file_closure_report(
                    self.bureau, h["id"], document_no=f"宁安销〔{self.year}〕{self.number()}号", filed_on=last),
                    h["e"]["lane"])
            closed = self.day(last, 0, 3)
            self.at(closed, lambda: self._set(h, status="closed")(self.app.close_hazard(
                self.bureau if joint else self.office[h["e"]["township"]], h["id"], closed_on=closed)),
                h["e"]["lane"])
            return

    def _rectify(self, h: dict, on: date) -> bool:
        cost = self.rng.randint(2, 2000) * 10
        return self.at(on, lambda: self._set(h, status="rectified")(self.app.report_rectification(
            h["e"]["actor"], h["id"], evidence=self.fieldwork.evidence(h["e"]["actor"], h["e"], ["整改后照片.jpg"]),
            cost=cost, rectified_on=on)), h["e"]["lane"])

    def _review(self, h: dict, on: date, joint: bool, *, passed: bool) -> date:
        """A review (复查) — or the three joint-review signatures — on or after `on`."""
        office = self.office[h["e"]["township"]]
        signers = [(office, on)]
        if joint:
            signers += [(self.regulator[h["e"]["sector"]], self.day(on, 0, 1)),
                        (h["agency"]["actor"], self.day(on, 0, 2))]
        if not passed:
            signers = signers[:1]
        for who, day in signers:
            self.at(day, lambda who=who, day=day: self._set(h, **({} if passed else {"status": "assigned"}))(
                self.app.review_rectification(who, h["id"], passed=passed, notes="现场复查", reviewed_on=day)),
                h["e"]["lane"])
        return max(day for _, day in signers)

    # --- running ---------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        started = time.monotonic()
        self.plan_parties()
        self.plan_agreements()
        inspections = self.plan_inspections()
        self.plan_hazards(inspections)
        self.fieldwork.plan_checklists([i for i, _ in inspections], self.hazards)  # after all else:
        self.fieldwork.plan_self_reports(self.enterprises, self.hazards)  # the year's steps as before
        Meetings(self).plan()  # 联席会: the month's overdue hazards referred (交办), signed for, answered
        Platform(self).plan()  # issue 15 §5–6: 服务平台 needs, offers, contracts; ratings; 考评; the reward fund
        self.electricity = Electricity(self)  # 智慧用电 (issue 15 §4): planned last, numbers of its own
        self.electricity.plan()
        Groups(self).plan()  # issue 15: 互助组、行业协会 — members, experts, 互查 (their hazards), training
        self.insurance = Insurance(self)  # 安责险 (issue 15 §3): planned last, its own random numbers
        self.insurance.plan()
        before = self.app.recorder.max_notification_id() or 0
        total, done = len(self._steps), 0
        clock = self.app.today
        try:
            with Runner(self._step, self.threads) as runner:
                while self._steps:
                    when, steps = self._next_day()
                    self.app.today = lambda when=when: when  # each step happens on its day
                    for finished in runner.day(steps):
                        shown, done = done // 500, done + finished
                        if self.progress and (done // 500 > shown or done == total):
                            self._show(done, total, time.monotonic() - started)
        finally:
            self.app.today = clock
        events = (self.app.recorder.max_notification_id() or 0) - before
        return self.summary(time.monotonic() - started, done, events)

    def _next_day(self) -> tuple[date, list[Step]]:
        """The earliest day's steps, in planned order."""
        when, steps = self._steps[0][0], []
        while self._steps and self._steps[0][0] == when:
            steps.append(heapq.heappop(self._steps)[2])
        return when, steps

    def _step(self, step: Step) -> None:
        self._running.step = step
        try:
            step.run()
        except AlreadyRegistered:
            raise RuntimeError(f"seed {self.seed} was already simulated in this store "
                               "(its credit codes are registered); use another seed or schema") from None
        except Exception as e:  # noqa: BLE001 — counted and reported, the year goes on
            with self._lock:
                self.failures[f"{type(e).__name__}: {getattr(e, 'rule', '') or e}"[:160]] += 1

    def _show(self, done: int, total: int, elapsed: float) -> None:
        from projections.progress import bar

        self.progress.write(f"\rsimulate {bar(done, total)} {done:,}/{total:,} commands "
                            f"{done / max(elapsed, 1e-9):,.0f}/s  {elapsed:6.1f}s ")
        if done == total:
            self.progress.write("\n")
        self.progress.flush()

    def summary(self, elapsed: float, commands: int, events: int) -> dict[str, Any]:
        status = Counter(h["status"] for h in self.hazards)
        overdue = sum(1 for h in self.hazards if h["status"] == "assigned" and h["deadline"] < self.end)
        found = self.tally["hazards"] - status["withdrawn"]
        rectified = status["rectified"] + status["closed"]
        return {
            "seed": self.seed, "scale": self.scale, "year": self.year,
            **{k: self.tally[k] for k in ("enterprises", "agencies", "experts", "agreements",
                                          "monthly_contracts", "comprehensive_enterprises")},
            "inspections": {k: self.tally[f"inspections_{k}"] for k in ("comprehensive", "monthly", "self",
                                                                         "mutual", "inter_group", "association",
                                                                         "insurance_assessment")},
            "mutual_help": {k: self.tally[k] for k in ("groups", "group_members", "group_hazards", "group_trainings",
                                                  "associations", "association_members", "association_hazards",
                                                  "association_trainings")},
            "reports_filed": self.tally["reports_filed"],
            "hazards": self.tally["hazards"], "general": self.tally["hazards_general"],
            "major": self.tally["hazards_major"], "regraded_to_general": self.tally["regraded"],
            "supervised": self.tally["supervised"], "enforcement_actions": self.tally["enforcement"],
            "withdrawn": status["withdrawn"], "rectified": rectified, "closed": status["closed"],
            "overdue_at_year_end": overdue,
            "checklists": {"recorded": self.tally["checklists"], "items_failed": self.tally["checklist_items_failed"]},
            "photos_attached": self.tally["photos"],
            "referrals": {"referred": self.tally["referrals"], "answered": self.tally["referrals_answered"]},
            "self_reports": {k: self.tally["self_reports" + s] for k, s in (
                ("filed", ""), ("late", "_late"), ("none_found", "_none_found"), ("with_hazards", "_with_hazards"))},
            "platform": {k: self.tally[t] for k, t in (  # issue 15 §5–6 (services/simulate_platform.py)
                ("needs", "needs"), ("offers", "offers"), ("accepted", "needs_accepted"),
                ("needs_withdrawn", "needs_withdrawn"), ("ratings", "ratings"),
                ("assessments", "assessments"), ("reward_allocated", "reward_allocated"))},
            "insurance": self.insurance.summary(),  # 安责险 (issue 15 §3)
            "rectification_rate": round(rectified / found, 4) if found else None,
            "electricity": self.electricity.summary(),  # alarms and the hazards they raised: not in `hazards`
            "commands": commands, "events": events, "seconds": round(elapsed, 1),
            "commands_per_second": round(commands / elapsed) if elapsed else None,
            "failures": dict(self.failures),
        }


def simulate(ledger: Any, *, seed: int, scale: float, year: int = 2025,
             progress: TextIO | None = None, threads: int = 1,
             checklists: Checklists | None = None) -> dict[str, Any]:
    """Drive a county-year through `ledger` (a HazardLedger whose today is after the year), a
    day's steps for different enterprises on `threads` threads (its pool needs as many
    connections to run them all at once); `checklists`: the county's templates (default: as
    `Config.checklists` reads them)."""
    return Simulation(ledger, seed=seed, scale=scale, year=year, progress=progress,
                      threads=threads, checklists=checklists).run()
