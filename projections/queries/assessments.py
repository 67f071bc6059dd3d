"""考评 of townships, sector regulators and enterprises per year (issue 15 §6, 003 §五(三)2–4):
each criterion computed from the record as far as it goes, or scored by the bureau for what the
record cannot know; the total (mean of the criteria that have a score) and the grade by the
county's thresholds. Also the yearly reward fund and its allocations (003 §五(四)1).

The record is read as it stands on `day` (the hazards' current rows; referrals as answered by
then), for the hazards discovered (referrals referred) in the year:
- township  coverage: the township's coverage (projections/queries/coverage.py) against the
            county's goal — the goal reached is 100;
            rectification: the share of its hazards closed (销号), withdrawn ones left out;
- regulator enforcement: the share of its sector's major or 挂牌督办 hazards with an enforcement
            action (执法到位); referrals: the share of referrals to the sector, due by `day` or
            answered, answered by their due date (按期答复); rectification: as the township's;
- enterprise responsibility: the share of its hazards with a responsible person and deadline;
            on_time: of its hazards due by `day` or rectified, the share rectified by the deadline.
A record criterion with nothing to judge (no hazards that year) has no score and is left out of
the total; a 考评 whose scored fields the bureau has not recorded yet has no grade (`complete`
false, `grade` None): the record's part alone is shown.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from domain.assessment import (GRADE_NAMES, KIND_NAMES, RECORD, SCORED, GradeThresholds, goal_score,
                               share_score, total)
from infra.reference import ReferenceData
from projections.export import Columns
from projections.queries import coverage as coverage_q
from projections.queries.oversight import select, year_span
from projections.readmodels import ReadModels


def _scored(rm: ReadModels, kind: str, year: int) -> dict[str, dict[str, Any]]:
    rows = select(rm.activity, "SELECT * FROM {a} WHERE kind = %(k)s AND year = %(y)s",
                  {"k": kind, "y": year}, a="activity_assessments")
    return {r["assessed"]: r for r in rows}


def _hazard_facts(rm: ReadModels, year: int, day: date, by: str) -> dict[str, dict[str, int]]:
    """Per township, sector or enterprise (`by`): the year's hazards (withdrawn left out), closed,
    responsibility assigned, major/supervised and those enforced, due and rectified on time."""
    start, end = year_span(year)
    rows = select(rm.ledger, (
        f"SELECT {by} AS party, count(*) AS found, "
        "count(*) FILTER (WHERE status = 'closed') AS closed, "
        "count(*) FILTER (WHERE assigned_on IS NOT NULL) AS assigned, "
        "count(*) FILTER (WHERE level = 'major' OR supervision_level IS NOT NULL) AS serious, "
        "count(*) FILTER (WHERE (level = 'major' OR supervision_level IS NOT NULL) "
        " AND enforcement_count > 0) AS enforced, "
        "count(*) FILTER (WHERE deadline IS NOT NULL AND (deadline < %(day)s OR rectified_on IS NOT NULL)) AS due, "
        "count(*) FILTER (WHERE rectified_on IS NOT NULL AND deadline IS NOT NULL "
        " AND rectified_on <= deadline) AS on_time, "
        "coalesce(sum(rectification_cost), 0) AS cost "
        "FROM {h} WHERE status <> 'withdrawn' AND discovered_on BETWEEN %(start)s AND %(end)s "
        f"GROUP BY {by}"), {"start": start, "end": end, "day": day}, h="ledger_hazards")
    return {r["party"]: r for r in rows}


def _criterion(kind: str, name: str, score: Decimal | int | None, basis: str) -> dict[str, Any]:
    source = "record" if name in RECORD[kind] else "scored"
    label = RECORD[kind].get(name) or SCORED[kind][name]
    return {"criterion": name, "label": label, "source": source,
            "source_label": "据记录计算" if source == "record" else "县局评分",
            "score": None if score is None else Decimal(score), "basis": basis}


def _graded(kind: str, row: dict[str, Any], record: dict[str, tuple], scored: dict[str, Any] | None,
            thresholds: GradeThresholds) -> dict[str, Any]:
    criteria = [_criterion(kind, n, *record[n]) for n in RECORD[kind]]
    given = (scored or {}).get("scores") or {}
    criteria += [_criterion(kind, n, given.get(n), "县应急管理局评分" if n in given else "尚未评分")
                 for n in SCORED[kind]]
    complete = scored is not None
    score = total({c["criterion"]: c["score"] for c in criteria})
    grade = thresholds.grade(score) if complete and score is not None else None
    return {**row, "criteria": criteria, "complete": complete, "total": score, "grade": grade,
            "grade_label": GRADE_NAMES[grade] if grade else "待县局评分",
            "notes": (scored or {}).get("notes", ""), "left_out": [
                c["label"] for c in criteria if c["source"] == "record" and c["score"] is None]}


def _share(part: int, whole: int, what: str) -> tuple[Decimal | None, str]:
    if whole == 0:
        return None, f"当年无{what}，不计入"
    return share_score(part, whole), f"{part}/{whole}"


def townships(rm: ReadModels, year: int, *, scope: dict[str, str], reference: ReferenceData,
              goal: Decimal, thresholds: GradeThresholds, day: date) -> dict[str, Any]:
    codes = [scope["township"]] if "township" in scope else list(reference.townships)
    cover = {t["township"]: t for t in coverage_q.coverage(
        rm.activity, year, scope={}, reference=reference, goal=goal)["townships"]}
    hazards, scored = _hazard_facts(rm, year, day, "township"), _scored(rm, "township", year)
    rows = []
    for code in codes:
        c, h = cover.get(code), hazards.get(code, {})
        rate = None if c is None or c["coverage"] is None else Decimal(str(c["coverage"]))
        record = {
            "coverage": (goal_score(rate, goal),
                         "无登记企业，不计入" if c is None else
                         f"{c['served']}/{c['enterprises']} 家（目标 {goal * 100:.0f}%）"),
            "rectification": _share(h.get("closed", 0), h.get("found", 0), "隐患"),
        }
        rows.append(_graded("township", {"township": code, "township_name": reference.townships.get(code, code)},
                            record, scored.get(code), thresholds))
    return _result(year, day, thresholds, rows)


def regulators(rm: ReadModels, year: int, *, scope: dict[str, str], reference: ReferenceData,
               thresholds: GradeThresholds, day: date) -> dict[str, Any]:
    codes = [scope["sector"]] if "sector" in scope else list(reference.sectors)
    hazards, scored = _hazard_facts(rm, year, day, "sector"), _scored(rm, "regulator", year)
    start, end = year_span(year)
    referred = {r["receiver"]: r for r in select(rm.activity, (
        "SELECT receiver, count(*) FILTER (WHERE due_on < %(day)s OR answered_on IS NOT NULL) AS due, "
        "count(*) FILTER (WHERE answered_on IS NOT NULL AND answered_on <= due_on "
        " AND answered_on <= %(day)s) AS answered FROM {r} "
        "WHERE receiver_kind = 'sector' AND referred_on BETWEEN %(start)s AND %(end)s GROUP BY receiver"),
        {"start": start, "end": end, "day": day}, r="activity_referrals")}
    rows = []
    for code in codes:
        h, r = hazards.get(code, {}), referred.get(code, {})
        record = {
            "enforcement": _share(h.get("enforced", 0), h.get("serious", 0), "重大或挂牌督办隐患"),
            "referrals": _share(r.get("answered", 0), r.get("due", 0), "到期的交办事项"),
            "rectification": _share(h.get("closed", 0), h.get("found", 0), "隐患"),
        }
        rows.append(_graded("regulator", {"sector": code, "sector_name": reference.sectors.get(code, code)},
                            record, scored.get(code), thresholds))
    return _result(year, day, thresholds, rows)


def enterprises(rm: ReadModels, year: int, *, scope: dict[str, str], reference: ReferenceData,
                thresholds: GradeThresholds, day: date, limit: int = 100,
                offset: int = 0) -> dict[str, Any]:
    where = " AND ".join(f"{k} = %({k})s" for k in sorted(scope) if k in ("township", "sector", "enterprise_id"))
    if any(k not in ("township", "sector", "enterprise_id") for k in scope):
        where = "FALSE"
    found = select(rm.activity, "SELECT enterprise_id, name, township, sector, count(*) OVER () AS n "
                   f"FROM {{e}} WHERE {where or 'TRUE'} ORDER BY township, name, enterprise_id "
                   "LIMIT %(limit)s OFFSET %(offset)s",
                   {**scope, "limit": limit, "offset": offset}, e="activity_enterprises")
    hazards, scored = _hazard_facts(rm, year, day, "enterprise_id"), _scored(rm, "enterprise", year)
    rows = []
    for e in found:
        h = hazards.get(e["enterprise_id"], {})
        record = {
            "responsibility": _share(h.get("assigned", 0), h.get("found", 0), "隐患"),
            "on_time": _share(h.get("on_time", 0), h.get("due", 0), "到期的隐患"),
        }
        row = {"enterprise_id": e["enterprise_id"], "name": e["name"], "township": e["township"],
               "township_name": reference.townships.get(e["township"], e["township"]),
               "sector": e["sector"], "sector_name": reference.sectors.get(e["sector"], e["sector"]),
               "rectification_cost": Decimal(h.get("cost", 0))}
        rows.append(_graded("enterprise", row, record, scored.get(e["enterprise_id"]), thresholds))
    result = _result(year, day, thresholds, rows)
    result.update(total_count=found[0]["n"] if found else 0, limit=limit, offset=offset)
    return result


def _result(year: int, day: date, thresholds: GradeThresholds, rows: list[dict]) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["grade_label"]] += 1
    return {"year": year, "judged_on": day,
            "thresholds": {"excellent": thresholds.excellent, "good": thresholds.good,
                           "pass": thresholds.passing},
            "grades": dict(counts), "items": rows}


def reward_funds(rm: ReadModels, reference: ReferenceData, *, year: int | None) -> list[dict[str, Any]]:
    """The reward funds (one per year) with their allocation decisions, each award's recipient
    named (townships, sectors' regulators, enterprises, agencies)."""
    rows = select(rm.activity, "SELECT * FROM {f} WHERE %(y)s::int IS NULL OR year = %(y)s ORDER BY year",
                  {"y": year}, f="activity_reward_funds")
    names = party_names(rm, reference, {a["recipient"] for r in rows for d in r["decisions"]
                                        for a in d["awards"]})
    out = []
    for r in rows:
        decisions = [{**d, "awards": [{**a, "kind_label": KIND_NAMES.get(a["kind"], a["kind"]),
                                       "recipient_name": names.get(a["recipient"], a["recipient"])}
                                      for a in d["awards"]]} for d in r["decisions"]]
        out.append({"year": r["year"], "amount": r["amount"], "document_no": r["document_no"],
                    "decided_on": r["decided_on"], "allocated": r["allocated"],
                    "remaining": Decimal(r["amount"]) - Decimal(r["allocated"]), "decisions": decisions})
    return out


def party_names(rm: ReadModels, reference: ReferenceData, ids: set[str]) -> dict[str, str]:
    """Names of townships, sectors (their regulators), enterprises and agencies by code or id."""
    names = {**reference.townships, **{k: f"{v}行业监管部门" for k, v in reference.sectors.items()}}
    if ids:
        for table, key in (("activity_enterprises", "enterprise_id"), ("activity_agencies", "agency_id")):
            for r in select(rm.activity, f"SELECT {key} AS id, name FROM {{t}} WHERE {key} = ANY(%(ids)s)",
                            {"ids": sorted(ids)}, t=table):
                names[r["id"]] = r["name"]
    return names


_PARTY = {"township": [("township_name", "乡镇（街道）")],
          "regulator": [("sector_name", "行业")],
          "enterprise": [("name", "企业名称"), ("township_name", "乡镇（街道）"), ("sector_name", "行业"),
                         ("rectification_cost", "整改资金合计（元）")]}


def export_columns(kind: str) -> Columns:
    """The columns of a 考评 table for CSV / XLSX: the party, each criterion's score (and for
    what the record computed, its basis, e.g. 12/300 家), the total, the grade and the notes."""
    criteria: list[tuple[str, str]] = []
    for name, label in RECORD[kind].items():
        criteria += [(f"score_{name}", f"{label}（据记录计算）"), (f"basis_{name}", f"{label}依据")]
    criteria += [(f"score_{name}", f"{label}（县局评分）") for name, label in SCORED[kind].items()]
    return [*_PARTY[kind], *criteria, ("total", "总分"), ("grade_label", "等级"), ("notes", "说明")]


def export_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The graded rows flattened to the columns of `export_columns`."""
    rows = []
    for item in items:
        row = dict(item)
        for c in item["criteria"]:
            row[f"score_{c['criterion']}"] = c["score"]
            row[f"basis_{c['criterion']}"] = c["basis"]
        rows.append(row)
    return rows
