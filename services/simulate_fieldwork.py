"""`hazard simulate`'s field work (现场工作, issue 13 point 8): checklists, photos, self-reports.

Planned on top of the year `services.simulate` planned, after all of it, with random numbers of
its own (a stream seeded from the seed), so the year's other steps, their documents and their
figures are the ones they were before field work was simulated:

- **Checklists (检查表)**: an agency's inspection of an enterprise whose sector has templates
  (`Config.checklists`: 工贸 general + one of its branch templates, the chemicals' 121 items)
  records every item of them on the inspection's day, after the hazards found that day: an item
  of another sector not applicable, the rest passed — except one failed item for each major
  hazard reported at that inspection, linked to it (the hazard cites the item's criterion).
  Comprehensive inspections use the general and a branch template, monthly ones the general.
- **Photos (照片)**: a share of hazard reports and rectification reports carry a photo, a tiny
  JPEG (a few hundred bytes, with its EXIF time) drawn from the seed and the step, uploaded
  to the ledger's file store first and cited as `sha256:<hex>`.
- **Self-reports (自查自报)**: a share of small and micro enterprises (and every small one whose
  own check found a hazard) file each month's self-report in the next month — the self-check hazards of the month, else "none found"
  (零隐患) — most by the grace day, some later (flagged late). December's fall after the year.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from typing import Any

from PIL import Image, ImageDraw

from domain.actor import Actor, Role
from domain.checklist import Checklist
from domain.self_report import month_of
from infra.criteria import Checklists, load_checklists
from infra.settings import Settings

PHOTO_SHARE = 0.05        # of hazard reports and of rectification reports
SELF_REPORTERS = 0.02     # of small and micro enterprises (and individual businesses)
SELF_REPORT_MONTHLY = 0.9  # a self-reporter files a given month
LATE_SHARE = 0.12         # of filings: after the grace day
MONTHLY_CHECKLIST = 0.5   # of monthly inspections with a checklist (comprehensive: all)
SMALL = ("small_micro", "individual")
BASE = (None, "general")  # a sector's base template (工贸通用, 危化品); others are branches (机械…)


def county_checklists(ledger: Any) -> Checklists:
    """The county's templates (HAZARD_CHECKLISTS_DIR, as `Config.checklists` reads them)."""
    return load_checklists(Settings.from_env().checklists_dir, catalogue=ledger.criteria_catalogue,
                           sectors=ledger.reference.sectors)


def party(actor: Actor, e: dict, agency: dict | None = None) -> str:
    """The party an upload is recorded for (as `services.access.party_of` names it)."""
    if actor.role == Role.ENTERPRISE:
        return f"enterprise:{e['id']}"
    if actor.role == Role.AGENCY:
        return f"agency:{(agency or {}).get('id') or '-'}"
    if actor.role == Role.TOWNSHIP:
        return f"township:{e['township']}"
    if actor.role == Role.REGULATOR:
        return f"regulator:{e['sector']}"
    return f"county:{actor.role}"


def photo(rng: random.Random, taken: date) -> bytes:
    """A tiny JPEG (24×18, a few hundred bytes): blocks of colour drawn from `rng`, EXIF time
    `taken` (the business day, 10:00 local). Deterministic for the same draws."""
    image = Image.new("RGB", (24, 18), tuple(rng.randrange(256) for _ in range(3)))
    pen = ImageDraw.Draw(image)
    for _ in range(3):
        x, y = rng.randrange(20), rng.randrange(14)
        pen.rectangle((x, y, x + rng.randint(2, 8), y + rng.randint(2, 6)),
                      fill=tuple(rng.randrange(256) for _ in range(3)))
    exif = Image.Exif()
    exif[0x0132] = f"{taken:%Y:%m:%d} 10:00:00"  # DateTime
    out = io.BytesIO()
    image.save(out, "JPEG", quality=40, exif=exif.tobytes())
    return out.getvalue()


class Fieldwork:
    """Plans checklists and self-reports into `sim` (a `services.simulate.Simulation`), and
    uploads the photos its steps cite."""

    def __init__(self, sim: Any, checklists: Checklists) -> None:
        self.sim, self.templates = sim, checklists
        self.rng = random.Random(f"hazardledger-fieldwork-{sim.seed}")
        self._branch: dict[int, Checklist | None] = {}

    # --- photos ---------------------------------------------------------------------------------
    def evidence(self, who: Actor, e: dict, otherwise: list[str] | None = None,
                 agency: dict | None = None) -> list[str]:
        """A running step's evidence: for a share of steps (drawn from the seed and the step),
        a photo taken today (the step's day), uploaded now and cited; else `otherwise`."""
        rng = random.Random(f"hazardledger-photo-{self.sim.seed}-{self.sim.number()}")
        if rng.random() >= PHOTO_SHARE:
            return list(otherwise or [])
        data = photo(rng, self.sim.app.today())
        stored = self.sim.app.evidence_files.put(io.BytesIO(data), party=party(who, e, agency),
                                                 actor=who.id)
        self.sim.add("photos")
        return [f"sha256:{stored.sha256}"]

    # --- checklists -----------------------------------------------------------------------------
    def plan_checklists(self, inspections: list[dict], hazards: list[dict]) -> None:
        """Each agency inspection of a sector with templates records them on its day."""
        majors: dict[int, list[dict]] = {}
        for h in hazards:
            if h.get("insp") is not None and h["level"] == "major":
                majors.setdefault(id(h["insp"]), []).append(h)
        for insp in inspections:
            e = insp["enterprise"]
            general = [t for t in self.templates.find(sector=e["sector"]) if t.branch in BASE]
            if not general or (insp["kind"] == "monthly" and self.rng.random() >= MONTHLY_CHECKLIST):
                continue
            used = general[:1] + ([self._branch_of(e)] if insp["kind"] == "comprehensive" else [])
            used = [t for t in used if t is not None]
            failed = self._fail(used, e["sector"], majors.get(id(insp), []))
            for template in used:
                self._record(insp, template, failed)

    def _branch_of(self, e: dict) -> Checklist | None:
        """The enterprise's branch template (机械, 建材…), drawn once."""
        if e["lane"] not in self._branch:
            branches = [t for t in self.templates.find(sector=e["sector"]) if t.branch not in BASE]
            self._branch[e["lane"]] = self.rng.choice(branches) if branches else None
        return self._branch[e["lane"]]

    def _fail(self, used: list[Checklist], sector: str, majors: list[dict]) -> dict[str, dict]:
        """An applicable item (with a criterion) for each major hazard: item id → hazard, and
        the hazard cites the item's criterion when reported."""
        items = [i for t in used for i in t.items if sector in i.sectors and i.criterion is not None]
        failed: dict[str, dict] = {}
        for h, item in zip(majors, self.rng.sample(items, min(len(items), len(majors))), strict=False):
            failed[item.id] = h
            h["criterion"] = item.criterion.id
        return failed

    def _record(self, insp: dict, template: Checklist, failed: dict[str, dict]) -> None:
        e, sector = insp["enterprise"], insp["enterprise"]["sector"]
        skip = {i.id for i in template.items if self.rng.random() < 0.1}  # 不适用 on site

        def judged(item) -> dict:
            if item.id in failed:
                return {"item_id": item.id, "result": "failed", "hazard_id": failed[item.id]["id"],
                        "note": "现场检查发现，已作为重大事故隐患上报"}
            fits = sector in item.sectors and item.id not in skip
            return {"item_id": item.id, "result": "passed" if fits else "not_applicable"}

        def record() -> None:
            self.sim.app.record_checklist(insp["agency"]["actor"], insp["id"], template_id=template.id,
                                          results=[judged(i) for i in template.items],
                                          templates=self.templates)
            self.sim.add("checklists")
            self.sim.add("checklist_items_failed", sum(1 for i in template.items if i.id in failed))
        self.sim.at(insp["on"], record, e["lane"])

    # --- self-reports ---------------------------------------------------------------------------
    def plan_self_reports(self, enterprises: list[dict], hazards: list[dict]) -> None:
        """A share of small enterprises file each month's self-report in the next month."""
        small = [e for e in enterprises if e["scale"] in SMALL]
        found: dict[tuple[int, str], list[dict]] = {}
        checking: dict[int, dict] = {}  # small enterprises whose own checks found hazards: they report
        for h in hazards:
            if h["source"] == "self_check":
                found.setdefault((h["e"]["lane"], month_of(h["found"])), []).append(h)
                if h["e"]["scale"] in SMALL:
                    checking.setdefault(h["e"]["lane"], h["e"])
        sampled = self.rng.sample(small, round(SELF_REPORTERS * len(small)))
        reporters = list({e["lane"]: e for e in [*checking.values(), *sampled]}.values())
        grace = self.sim.app.self_report_policy.grace_day
        for e in reporters:
            for m in range(1, 13):
                if self.rng.random() >= SELF_REPORT_MONTHLY:
                    continue
                first = date(self.sim.year + m // 12, m % 12 + 1, 1)
                late = self.rng.random() < LATE_SHARE
                on = first + timedelta(days=self.rng.randint(grace, grace + 15) if late
                                       else self.rng.randint(0, grace - 1))
                self._file(e, f"{self.sim.year}-{m:02d}", on, found.get((e["lane"], f"{self.sim.year}-{m:02d}"), []))

    def _file(self, e: dict, month: str, on: date, listed: list[dict]) -> None:
        def file() -> None:
            ids = [h["id"] for h in listed if h["id"]]
            report = self.sim.app.file_self_report(e["actor"], enterprise_id=e["id"], month=month,
                                                   hazard_ids=ids, none_found=not ids)
            self.sim.add("self_reports")
            self.sim.add("self_reports_none_found" if not ids else "self_reports_with_hazards")
            if on.day > self.sim.app.self_report_policy.grace_day:
                self.sim.add("self_reports_late")
            return report
        self.sim.at(on, file, e["lane"])
