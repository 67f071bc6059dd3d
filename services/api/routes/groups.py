"""Mutual-help groups (企业互助组, /groups) and industry associations (行业协会, /associations),
issue 15 §1–2, docs/groups.md: forming them, members, experts sent by members, training records;
the list with members, each one's inspections and training records. Reading one record is the
generic record route (GET /groups/{id}, /history: services/api/routes/records.py). Their
inspections are scheduled and performed through /inspections with the group or association as
`basis_id`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from domain.groups import IndustryAssociation, MutualHelpGroup
from domain.parties import Enterprise
from infra.auth import Principal
from projections.queries import groups as groups_q
from projections.queries.oversight import localize
from projections.readmodels import ReadModels
from services.access import Subject, check_role, read_scope
from services.api import schemas as s
from services.api.deps import ledger, principal
from services.api.json import JSON
from services.api.routes.readmodels import caught_up, read_models
from services.subjects import group_subject

WORDS = {"group": "企业互助组", "association": "行业协会"}
CLASSES = {"group": MutualHelpGroup, "association": IndustryAssociation}


def _place(township: str | None) -> Subject:
    """Forming one: a township office only in its own township; a county-wide one is the bureau's."""
    return Subject(frozenset({township})) if township else Subject()


def _router(form: str, path: str) -> APIRouter:
    router = APIRouter(prefix=f"/{path}", tags=[path])
    word, cls = WORDS[form], CLASSES[form]

    def writing(app, ident: str) -> Subject:
        return group_subject(app.load(cls, ident), reading=False)

    if form == "group":
        @router.post("", status_code=201, name="group.form", summary="成立企业互助组",
                     description="同一区域（乡镇街道，township）或同一行业（sector）的企业组成的互助组，至少填一项。"
                                 "县应急管理局或乡镇（街道，仅本乡镇）登记；同区域同行业同名的组只有一个（409 `group-unique`）。")
        def form_group(body: s.NewGroup, who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
            app.authorize(who, "group.form", _place(body.township))
            return app.form_group(who.actor, **body.model_dump())
    else:
        @router.post("", status_code=201, name="association.form", summary="登记行业协会",
                     description="行业协会（商会）：本行业（sector）的会员单位，township 留空为全县（仅县应急管理局）。"
                                 "同一统一社会信用代码只登记一次（409 `group-unique`）。协会承接政府购买服务或企业委托时，"
                                 "以同一信用代码登记为中介机构，按中介机构签订协议和合同（记录中的 agency_id）。")
        def form_association(body: s.NewAssociation, who: Principal = Depends(principal),
                             app=Depends(ledger)) -> s.Written:
            app.authorize(who, "association.form", _place(body.township))
            return app.form_association(who.actor, **body.model_dump())

    @router.get("", name=f"{form}.list", summary=f"{word}列表：成员企业、互查和培训次数（按令牌范围）")
    def listing(township: str | None = Query(None, max_length=9, description="乡镇（街道）代码"),
                sector: str | None = Query(None, max_length=32, description="行业"),
                _: None = Depends(caught_up(f"{form}.list", ("activity",))),
                who: Principal = Depends(principal), rm: ReadModels = Depends(read_models)):
        rows = groups_q.groups(rm.activity, form=form, scope=read_scope(who).as_filters(),
                               reference=rm.reference, township=township, sector=sector)
        return JSON({"items": localize(rows), "total": len(rows)})

    @router.post("/{ident}/members", status_code=201, name=f"{form}.member.add",
                 summary=f"{word}：加入成员企业",
                 description="成员企业须属于本组（协会）的区域和行业（409 `group-member-fits`）；企业不能自行加入。")
    def add_member(ident: str, body: s.NewMember, who: Principal = Depends(principal),
                   app=Depends(ledger)) -> s.Written:
        app.authorize(who, f"{form}.member.add", writing(app, ident))
        member = app.named(Enterprise, body.enterprise_id, "enterprise_id", "企业")  # nothing: 422
        app.authorize(who, f"{form}.member.add", app.subject_of_enterprise(str(member.id)))
        return app.add_group_member(who.actor, form, ident, **body.model_dump())

    @router.post("/{ident}/members/{enterprise_id}/leave", name=f"{form}.member.leave",
                 summary=f"{word}：成员企业退出（其派出的专家随之退出）")
    def remove_member(ident: str, enterprise_id: str, body: s.MemberLeaves,
                      who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
        app.authorize(who, f"{form}.member.leave", writing(app, ident))
        return app.remove_group_member(who.actor, form, ident, enterprise_id, **body.model_dump())

    @router.post("/{ident}/experts", status_code=201, name=f"{form}.expert.add",
                 summary=f"{word}：登记成员企业派出的专家",
                 description="专家须来自成员企业（409 `group-expert-from-member`）；应答的 id 为专家编号。")
    def add_expert(ident: str, body: s.NewGroupExpert, who: Principal = Depends(principal),
                   app=Depends(ledger)) -> s.Written:
        app.authorize(who, f"{form}.expert.add", writing(app, ident))
        return app.add_group_expert(who.actor, form, ident, **body.model_dump())

    @router.post("/{ident}/experts/{expert_id}/leave", name=f"{form}.expert.leave",
                 summary=f"{word}：专家退出")
    def remove_expert(ident: str, expert_id: str, body: s.ExpertLeaves,
                      who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
        app.authorize(who, f"{form}.expert.leave", writing(app, ident))
        return app.remove_group_expert(who.actor, form, ident, expert_id, **body.model_dump())

    @router.post("/{ident}/trainings", status_code=201, name=f"{form}.training.record",
                 summary=f"{word}：记录培训（交流研讨）活动",
                 description="参加企业须是成员企业（409 `group-training-members`）；应答的 id 为活动编号。")
    def record_training(ident: str, body: s.NewTraining, who: Principal = Depends(principal),
                        app=Depends(ledger)) -> s.Written:
        app.authorize(who, f"{form}.training.record", writing(app, ident))
        return app.record_group_training(who.actor, form, ident, **body.model_dump())

    @router.get("/{ident}/trainings", name=f"{form}.trainings", summary=f"{word}：培训（活动）记录")
    def trainings(ident: str, _: None = Depends(caught_up(f"{form}.trainings", ("activity",))),
                  who: Principal = Depends(principal), app=Depends(ledger),
                  rm: ReadModels = Depends(read_models)):
        app.authorize(who, f"{form}.trainings", app.subject_of(cls, ident))
        rows = groups_q.trainings(rm.activity, str(app.load(cls, ident).id))
        return JSON({"items": localize(rows), "total": len(rows)})

    @router.get("/{ident}/inspections", name=f"{form}.inspections",
                summary=f"{word}：以其为依据的互查（按令牌范围）")
    def inspections(ident: str, _: None = Depends(caught_up(f"{form}.inspections", ("activity",))),
                    who: Principal = Depends(principal), app=Depends(ledger),
                    rm: ReadModels = Depends(read_models)):
        check_role(who, f"{form}.inspections")
        body = app.load(cls, ident)
        rows = groups_q.inspections(rm.activity, str(body.id), scope=read_scope(who).as_filters(),
                                    reference=rm.reference)
        return JSON({"items": localize(rows), "total": len(rows)})

    return router


groups_router = _router("group", "groups")
associations_router = _router("association", "associations")
