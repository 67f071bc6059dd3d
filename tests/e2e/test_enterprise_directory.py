"""企业名录 over HTTP (GET /enterprises): what an official picks an enterprise from to report a
hazard found on a government check. The token's scope always applies and a filter never widens
it; names and codes are found in part; labels are Chinese; bad filters are 422 naming them."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import credit_code

API = "/api/v1"
YUELONG, TAOYUAN = "330226001", "330226002"


@pytest.fixture
def firms(api, auth):
    """Three enterprises: two in 跃龙街道 (chemicals, construction), one in 桃源街道 (chemicals)."""
    bureau, made = auth("bureau"), {}
    for key, name, township, sector in (("yl_chem", "跃龙精细化工有限公司", YUELONG, "chem"),
                                        ("yl_build", "跃龙建筑工程有限公司", YUELONG, "construction"),
                                        ("ty_chem", "桃源化工厂", TAOYUAN, "chem")):
        code = credit_code()
        answer = api.post(f"{API}/enterprises", headers=bureau, json={
            "credit_code": code, "name": name, "township": township, "sector": sector, "scale": "small_micro"})
        assert answer.status_code == 201, answer.text
        made[key] = {"id": answer.json()["id"], "code": code, "position": answer.json()["position"]}
    made["after"] = max(m["position"] for m in made.values())
    return made


def _names(api, headers, **params) -> list[str]:
    answer = api.get(f"{API}/enterprises", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    return [row["name"] for row in answer.json()["items"]]


def test_each_role_finds_only_the_enterprises_in_its_scope(api, auth, firms):
    after = firms["after"]
    assert _names(api, auth("bureau"), after=after) == ["桃源化工厂", "跃龙建筑工程有限公司", "跃龙精细化工有限公司"]
    assert _names(api, auth("township", township=YUELONG), after=after) == ["跃龙建筑工程有限公司", "跃龙精细化工有限公司"]
    assert _names(api, auth("regulator", sector="chem"), after=after) == ["桃源化工厂", "跃龙精细化工有限公司"]
    assert _names(api, auth("enterprise", enterprise_id=firms["ty_chem"]["id"]), after=after) == ["桃源化工厂"]
    # a filter narrows, never widens: a township asking for another township's sees nothing
    assert _names(api, auth("township", township=YUELONG), after=after, township=TAOYUAN) == []
    assert api.get(f"{API}/enterprises", headers=auth("agency", agency_id="x")).status_code == 403


def test_found_by_part_of_the_name_or_the_credit_code_with_chinese_labels(api, auth, firms):
    bureau, after = auth("bureau"), firms["after"]
    assert _names(api, bureau, after=after, q="化工") == ["桃源化工厂", "跃龙精细化工有限公司"]
    code = firms["yl_build"]["code"]
    answer = api.get(f"{API}/enterprises?q={quote(code[-8:])}&after={after}", headers=bureau).json()
    assert [r["enterprise_id"] for r in answer["items"]] == [firms["yl_build"]["id"]]
    row = answer["items"][0]
    assert (row["township_name"], row["sector_name"], row["scale_label"], row["credit_code"]) == (
        "跃龙街道", "建筑施工", "小微", code)
    assert _names(api, bureau, after=after, q="%") == []  # a pattern character is taken literally
    paged = api.get(f"{API}/enterprises", headers=bureau, params={"after": after, "limit": 1, "offset": 1}).json()
    assert paged["total"] == 3 and [r["name"] for r in paged["items"]] == ["跃龙建筑工程有限公司"]


@pytest.mark.parametrize("params, field", [({"township": "999"}, "township"), ({"sector": "bogus"}, "sector"),
                                           ({"limit": 0}, "limit"), ({"q": "x" * 101}, "q")])
def test_a_bad_filter_is_refused_naming_it(api, auth, params, field):
    answer = api.get(f"{API}/enterprises", headers=auth("bureau"), params=params)
    assert answer.status_code == 422 and field in answer.text, answer.text
