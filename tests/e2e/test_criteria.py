"""Criteria for major hazards and checklist templates over HTTP: every role reads them, filtered
by sector, regulation and grade; each code comes with its Chinese label; unknown ids are 404."""

from __future__ import annotations

import pytest

from domain.actor import Role
from services.access import EVERYONE

ZH_GM10 = "《工贸企业重大事故隐患判定标准》"


@pytest.fixture
def get(client, auth):
    def request(path: str, role: str = "enterprise", **scope: str):
        scope = scope or ({"enterprise_id": "e-1"} if role == "enterprise" else {})
        return client.get("/api/v1" + path, headers=auth(role, **scope))
    return request


def test_one_criterion_with_its_article_in_chinese(get):
    answer = get("/criteria/gm10-4-1")
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == "gm10-4-1" and body["article"] == 4 and body["item"] == 1
    assert body["article_zh"] == f"{ZH_GM10}第四条第（一）项"
    assert body["regulation"] == {"code": "gm10", "name": "工贸企业重大事故隐患判定标准",
                                  "number": "中华人民共和国应急管理部令第10号", "in_force_from": "2023-05-15"}
    assert {"code": "metallurgy", "name": "金属冶炼"} in body["sectors"]
    assert body["branch"] == {"code": "ferrous", "name": "冶金"}
    assert body["major"] is True and body["level_required"] == {"code": "major", "name": "重大隐患"}
    assert "吊运跨" in body["condition"]
    assert body["verified"] == {"code": "2", "name": "两份独立全文一致"}


def test_other_regulations_cite_their_own_way(get):
    assert get("/criteria/gm10-14").json()["article_zh"] == f"{ZH_GM10}第十四条"
    chem = get("/criteria/chem121-7").json()
    assert chem["article_zh"] == "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》第七项"
    assert chem["sectors"] == [{"code": "chem", "name": "危险化学品"}]
    duty = get("/criteria/ah16-14").json()
    assert duty["article_zh"] == "《安全生产事故隐患排查治理暂行规定》第十四条"
    assert duty["major"] is False and duty["level_required"] is None


def test_unknown_criterion_is_404_naming_it(get):
    answer = get("/criteria/gm10-99-1")
    assert answer.status_code == 404
    assert "gm10-99-1" in answer.json()["message"]


def test_filter_by_sector(get):
    chem = get("/criteria?sector=chem").json()
    assert {c["regulation"]["code"] for c in chem} == {"chem121", "ah16"}
    assert len([c for c in chem if c["regulation"]["code"] == "chem121"]) == 20
    trade = get("/criteria?sector=trade&regulation=gm10").json()
    assert "gm10-3-3" not in {c["id"] for c in trade}  # 金属冶炼 only
    assert {"gm10-3-1", "gm10-7-7", "gm10-11-10"} <= {c["id"] for c in trade}
    metal = {c["id"] for c in get("/criteria?sector=metallurgy&regulation=gm10").json()}
    assert "gm10-3-3" in metal and "gm10-7-1" not in metal  # 机械 is not 金属冶炼
    assert get("/criteria?sector=construction&regulation=gm10").json() == []


def test_filter_by_regulation_grade_and_branch(get):
    everything = get("/criteria").json()
    assert len(everything) == 65 + 20 + 12
    assert all(c["article_zh"].startswith("《") for c in everything)
    majors = get("/criteria?major=true").json()
    assert len(majors) == 85 and all(c["major"] for c in majors)
    assert {c["regulation"]["code"] for c in get("/criteria?major=false").json()} == {"ah16"}
    machinery = get("/criteria?regulation=gm10&branch=machinery").json()
    assert [c["id"] for c in machinery] == [f"gm10-7-{n}" for n in range(1, 8)]
    assert {c["branch"]["name"] for c in machinery} == {"机械"}


@pytest.mark.parametrize("query, field", [("sector=steel", "sector"), ("regulation=gb999", "regulation"),
                                          ("major=perhaps", "major")])
def test_unknown_filter_is_422_naming_it(get, query, field):
    answer = get(f"/criteria?{query}")
    assert answer.status_code == 422
    assert answer.json()["field"] == field


@pytest.mark.parametrize("role", sorted(EVERYONE))  # the eight; a device reads nothing (issue 15 §4)
def test_every_role_reads_them(get, role):
    scope = {Role.TOWNSHIP: {"township": "330226001"}, Role.REGULATOR: {"sector": "chem"},
             Role.AGENCY: {"agency_id": "a-1"}, Role.ENTERPRISE: {"enterprise_id": "e-1"}}.get(role, {})
    for path in ("/criteria?sector=trade", "/criteria/gm10-4-1", "/checklists", "/checklists/chem121"):
        assert get(path, str(role), **scope).status_code == 200, (role, path)


def test_no_token_no_criteria(client):
    assert client.get("/api/v1/criteria").status_code == 401
    assert client.get("/api/v1/checklists").status_code == 401


def test_checklists_by_sector(get):
    trade = {t["id"]: t for t in get("/checklists?sector=trade").json()}
    assert {"gm10-general", "gm10-machinery", "gm10-dust", "gm10-confined"} <= set(trade)
    assert "chem121" not in trade
    general = trade["gm10-general"]
    assert general["title"].startswith("工贸企业通用检查表")
    assert {"code": "trade", "name": "工贸"} in general["sectors"]
    assert general["branch"] == {"code": "general", "name": "通用（管理类）"}
    assert general["items_count"] == 9 and general["major_items"] == 3
    assert [t["id"] for t in get("/checklists?sector=chem").json()] == ["chem121"]
    assert get("/checklists?sector=steel").status_code == 422


def test_one_checklist_with_its_items_and_their_criteria(get):
    body = get("/checklists/gm10-ferrous").json()
    assert body["regulation"]["name"] == "工贸企业重大事故隐患判定标准"
    assert "不通过" in body["judge"]
    first = body["items"][0]
    assert first["id"] == "gm10-ferrous-01"
    assert first["sectors"] == [{"code": "metallurgy", "name": "金属冶炼"}]  # 3-3 narrows the template
    assert first["criterion"]["id"] == "gm10-3-3"
    assert first["criterion"]["article_zh"] == f"{ZH_GM10}第三条第（三）项"
    assert [i["criterion"]["id"] for i in body["items"][1:]] == [f"gm10-4-{n}" for n in range(1, 9)]
    chem = get("/checklists/chem121").json()
    assert len(chem["items"]) == 20 and chem["items"][6]["criterion"]["article_zh"].endswith("第七项")


def test_unknown_checklist_is_404(get):
    answer = get("/checklists/gm10-mining")
    assert answer.status_code == 404 and "gm10-mining" in answer.json()["message"]
