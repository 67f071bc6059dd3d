"""Bodies of mutual-help groups and industry associations, the service platform (服务平台),
考评 of townships, regulators and enterprises, the reward fund, and erasure requests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from services.api import vocabularies as vocab
from services.api.schemas.base import Amount, Body, Day, Ident, Printable, Short, Text


# --- mutual-help groups and industry associations (issue 15 §1–2, docs/groups.md) -----------------
class NewGroup(Body):
    """企业互助组：同一区域（乡镇街道）或同一行业的企业；township、sector 至少填一项。"""
    name: Short
    township: Short | None = None
    sector: Short | None = None
    founded_on: Day | None = None


class NewAssociation(Body):
    """行业协会（商会）：本行业的会员单位；township 留空为全县。"""
    credit_code: Short
    name: Short
    sector: Short
    township: Short | None = None
    founded_on: Day | None = None


class NewMember(Body):
    enterprise_id: Ident
    joined_on: Day | None = None


class MemberLeaves(Body):
    reason: Text
    left_on: Day | None = None


class NewGroupExpert(Body):
    """成员企业派出的专业技术人员。"""
    enterprise_id: Ident
    name: Short
    certificate_no: Short


class NewTraining(Body):
    """培训、交流研讨等活动：参加的成员企业、学时。"""
    held_on: Day
    topic: Short
    hours: Annotated[Decimal, Field(gt=0, le=100, allow_inf_nan=False)]
    attendee_ids: list[Ident] = Field(min_length=1, max_length=500)
# --- the service platform (服务平台, issue 15 §5) ------------------------------------------------
class NewNeed(Body):
    """服务需求：企业在服务平台发布所需服务（服务类型，可多选）和说明。"""
    enterprise_id: Ident
    services: list[vocab.Service] = Field(min_length=1, max_length=10)
    description: Text


class NewOffer(Body):
    """报价：需求所列服务之一、服务期限、费用和服务条款；报价机构即令牌所属的中介机构。"""
    service: vocab.Service
    start: Day
    end: Day
    fee: Amount
    terms: Text


class OfferAcceptance(Body):
    """接受报价：企业接受一个报价，即与该中介机构会签服务合同。"""
    offer_id: Ident


class NeedWithdrawal(Body):
    reason: Text


class NewRating(Body):
    """绩效评比：被服务企业在合同期满之日或之后，按服务质量、服务态度、服务效果各打 0–100 分。"""
    contract_id: Ident
    scores: dict[Annotated[str, Field(max_length=40)], int] = Field(max_length=10)
    comment: Text = ""
    rated_on: Day | None = None


# --- 考评 of townships, regulators, enterprises; the reward fund (issue 15 §6) ------------------
class PartyScores(Body):
    """县应急管理局记录的考评评分（记录无法反映的考评项，各 0–100 分）：乡镇（街道）agency_management、progress、
    funding；行业监管部门 duty、cooperation；生产经营单位 leadership、investment、cooperation。"""
    kind: vocab.AssessmentKind
    assessed: Ident  # the township's code, the sector's code, or the enterprise's id
    year: int = Field(ge=1990, le=2099)
    scores: dict[Annotated[str, Field(max_length=40)], int] = Field(max_length=10)
    notes: Text = ""


class NewRewardFund(Body):
    """设立当年奖励专项资金（003 §五(四)1：西工区每年 30 万元），按决定文号记录。"""
    year: int = Field(ge=1990, le=2099)
    amount: Amount
    document_no: Short
    decided_on: Day | None = None


class Award(Body):
    """一项奖励：对象类别、对象（乡镇代码、行业代码、企业或中介机构 id）、金额、理由。"""
    kind: vocab.AwardKind
    recipient: Ident
    amount: Amount
    reason: Text


class RewardAllocation(Body):
    """一次分配决定：文号、日期和各项奖励；历次分配合计不能超过当年资金。"""
    document_no: Short
    decided_on: Day | None = None
    awards: list[Award] = Field(min_length=1, max_length=200)
class ErasureRequest(Body):
    """删除个人信息（个人信息保护法第四十七条）：删除依据。"""
    reason: Annotated[str, Field(max_length=500, examples=["本人申请删除（个人信息保护法第四十七条）"]),
                      Printable]


class PersonFound(BaseModel):
    """按姓名查得的人员：人员编号（化名）、类别、电话尾号、首次记录时间。"""
    person_id: str
    kind: vocab.PersonKind
    hint: str | None = None
    created: datetime
