"""考评 of townships, sector regulators and enterprises (issue 15 §6, 003 §五(三)2–4;
docs/assessments.md): GET /evaluations/townships|regulators|enterprises?year= (computed from the
record plus the bureau's scores, graded by the county's thresholds), POST /evaluations/scores (the
bureau's scored fields); the reward fund (003 §五(四)1): POST /reward-funds, POST
/reward-funds/{year}/allocations, GET /reward-funds."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request

from domain.assessment import GradeThresholds
from infra.auth import Principal
from projections.export import render
from projections.oversight_policy import OversightPolicy, grade_thresholds
from projections.queries import assessments as q
from projections.readmodels import ReadModels
from services.access import read_scope, scope_words
from services.api import schemas as s
from services.api.deps import ledger, principal
from services.api.downloads import download
from services.api.routes.accountability import oversight_policy
from services.api.routes.readmodels import Format, caught_up, read_models

router = APIRouter(tags=["assessments"])
BOTH = ("ledger", "activity")
YEAR = Query(None, ge=1990, le=2099, description="考评年度（缺省为今年）")
FORMAT = Query("json", description="json，或导出 csv / xlsx（企业考评导出全部，不分页）")
EXPORT_ALL = 1_000_000  # rows of an enterprise 考评 export (a county has thousands)
TITLES = {"township": "乡镇（街道）考评", "regulator": "行业监管部门考评", "enterprise": "生产经营单位考评"}


def _answer(kind: str, result: dict, fmt: str, who: Principal, rm: ReadModels):
    """The 考评 table as JSON, or as a CSV / XLSX download with Chinese headers."""
    if fmt == "json":
        return result
    title = f"{TITLES[kind]} {result['year']}"
    data = render(fmt, q.export_columns(kind), q.export_rows(result["items"]), title,
                  scope_words(who, rm.reference))
    return download(data, fmt, f"{TITLES[kind]}-{result['year']}")


@lru_cache(maxsize=8)
def _thresholds(path: Path | None) -> GradeThresholds:
    return grade_thresholds(path)


def thresholds(request: Request) -> GradeThresholds:
    """The county's grade thresholds (policy file, section `assessments`), read once."""
    return _thresholds(getattr(request.app.state, "policy_file", None))


@router.post("/evaluations/scores", status_code=201, summary="记录考评评分（县应急管理局）",
             name="assessment.score",
             description="县应急管理局为记录无法反映的考评项打分（各 0–100）：`kind` 为 township（`assessed` 为乡镇代码）、"
                         "regulator（行业代码）或 enterprise（企业 id）。每个对象每年一次。")
def score(body: s.PartyScores, who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
    app.authorize(who, "assessment.score")
    return app.score_party(who.actor, **body.model_dump())


@router.get("/evaluations/townships", summary="乡镇（街道）考评", name="assessment.townships", response_model=dict,
            description="各乡镇（街道）的年度考评：覆盖范围、隐患整改情况据记录计算，对中介机构日常管理、整体推进、经费保障"
                        "由县局评分；总分为有分数各项的平均分，按县定分数线评为优秀、良好、合格、不合格。乡镇只看本乡镇。")
def townships(year: int | None = YEAR, format: Format = FORMAT,
              _: None = Depends(caught_up("assessment.townships", BOTH)),
              who: Principal = Depends(principal), app=Depends(ledger),
              rm: ReadModels = Depends(read_models), grades: GradeThresholds = Depends(thresholds),
              oversight: OversightPolicy = Depends(oversight_policy)):
    result = q.townships(rm, year or app.today().year, scope=read_scope(who).as_filters(),
                         reference=rm.reference, goal=oversight.coverage_goal, thresholds=grades,
                         day=app.today())
    return _answer("township", result, format, who, rm)


@router.get("/evaluations/regulators", summary="行业监管部门考评", name="assessment.regulators", response_model=dict,
            description="各行业监管部门的年度考评：执法是否到位、交办事项按期答复、本行业隐患整改据记录计算，"
                        "责任履行和相互配合由县局评分。行业监管部门只看本行业。")
def regulators(year: int | None = YEAR, format: Format = FORMAT,
               _: None = Depends(caught_up("assessment.regulators", BOTH)),
               who: Principal = Depends(principal), app=Depends(ledger),
               rm: ReadModels = Depends(read_models), grades: GradeThresholds = Depends(thresholds)):
    result = q.regulators(rm, year or app.today().year, scope=read_scope(who).as_filters(),
                          reference=rm.reference, thresholds=grades, day=app.today())
    return _answer("regulator", result, format, who, rm)


@router.get("/evaluations/enterprises", summary="生产经营单位考评", name="assessment.enterprises", response_model=dict,
            description="各生产经营单位的年度考评：责任是否落实、整改是否及时据记录计算，领导重视、投入、配合检查由县局评分"
                        "（整改资金合计作为投入的参考）。乡镇看本乡镇的，行业监管部门看本行业的，企业只看本企业。")
def enterprises(year: int | None = YEAR,
                limit: int = Query(100, ge=1, le=1000, description="每页条数"),
                offset: int = Query(0, ge=0, le=1_000_000, description="跳过的条数"),
                format: Format = FORMAT,
                _: None = Depends(caught_up("assessment.enterprises", BOTH)),
                who: Principal = Depends(principal), app=Depends(ledger),
                rm: ReadModels = Depends(read_models), grades: GradeThresholds = Depends(thresholds)):
    whole = format != "json"  # an export is the whole table, not a page
    result = q.enterprises(rm, year or app.today().year, scope=read_scope(who).as_filters(),
                           reference=rm.reference, thresholds=grades, day=app.today(),
                           limit=EXPORT_ALL if whole else limit, offset=0 if whole else offset)
    return _answer("enterprise", result, format, who, rm)


@router.post("/reward-funds", status_code=201, summary="设立年度奖励专项资金", name="reward_fund.establish",
             description="县应急管理局按决定记录当年奖励专项资金（003 §五(四)1）；每年一笔。")
def establish(body: s.NewRewardFund, who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
    app.authorize(who, "reward_fund.establish")
    return app.establish_reward_fund(who.actor, **body.model_dump())


@router.post("/reward-funds/{year}/allocations", summary="分配奖励资金", name="reward_fund.allocate",
             description="按分配决定记录各项奖励；历次分配合计超过当年资金的，整个决定不予记录"
                         "（409 `reward-fund-within-amount`）。")
def allocate(year: int, body: s.RewardAllocation, who: Principal = Depends(principal),
             app=Depends(ledger)) -> s.Written:
    app.authorize(who, "reward_fund.allocate")
    return app.allocate_reward_fund(who.actor, year, **body.model_dump())


@router.get("/reward-funds", summary="奖励专项资金及其分配", name="reward_fund.read",
            description="各年度奖励专项资金、已分配和剩余金额，以及各次分配决定的奖励对象和金额。")
def funds(year: int | None = Query(None, ge=1990, le=2099, description="年度；不填为全部"),
          _: None = Depends(caught_up("reward_fund.read", ("activity",))),
          who: Principal = Depends(principal), rm: ReadModels = Depends(read_models)) -> dict:
    return {"year": year, "items": q.reward_funds(rm, rm.reference, year=year)}
