"""The ledger clerks like, over HTTP and in the terminal (issue 17 §4): hazard numbers,
`?sort=` by any column (422 naming `sort`), `?q=` by enterprise name, credit code or number."""

from __future__ import annotations

import io

import orjson
from openpyxl import load_workbook

from tests.e2e.test_readmodels_api import API, api, world  # noqa: F401 (fixtures)
from tests.projections.test_cli import hazard  # noqa: F401 (fixture)


def _ledger(api, world, **params):
    answer = api.get(f"{API}/ledger", params={"after": world["position"], **params}, headers=world["bureau"])
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_numbers_search_and_sort_over_http(api, world):
    items = _ledger(api, world, sort="hazard_no")["items"]
    assert [i["hazard_no"] for i in items] == ["宁海-2026-000001", "宁海-2026-000002"]
    assert [i["enterprise_name"] for i in items] == ["西店某化工厂", "跃龙某五金厂"]  # in log order
    assert [i["category_label"] for i in items] == ["物的不安全状态"] * 2
    assert [i["hazard_no"] for i in _ledger(api, world, sort="-hazard_no")["items"]] == [
        "宁海-2026-000002", "宁海-2026-000001"]
    by_level = _ledger(api, world, sort="grade,-deadline")["items"]
    assert [i["grade"] for i in by_level] == ["general", "major"]

    found = _ledger(api, world, q="宁海-2026-000002")["items"]
    assert [i["enterprise_name"] for i in found] == ["跃龙某五金厂"]
    code = items[0]["credit_code"]
    assert [i["hazard_no"] for i in _ledger(api, world, q=code)["items"]] == ["宁海-2026-000001"]
    assert [i["hazard_no"] for i in _ledger(api, world, q="五金")["items"]] == ["宁海-2026-000002"]
    assert _ledger(api, world, q="没有这家企业")["total"] == 0
    one = _ledger(api, world, hazard_id=items[1]["hazard_id"])["items"]
    assert [i["hazard_no"] for i in one] == ["宁海-2026-000002"]  # the hazard page's look-up
    paged = _ledger(api, world, sort="hazard_no", page=2, page_size=1)
    assert (paged["total"], [i["hazard_no"] for i in paged["items"]]) == (2, ["宁海-2026-000002"])


def test_a_bad_sort_is_422_naming_sort(api, world):
    for sort in ("description;drop table x", "hazard_id", "deadline,deadline", "-"):
        answer = api.get(f"{API}/ledger", params={"sort": sort}, headers=world["bureau"])
        assert answer.status_code == 422, answer.text
        assert "sort" in answer.text
        assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.text)  # the reason in Chinese
    long = api.get(f"{API}/ledger", params={"q": "x" * 61}, headers=world["bureau"])
    assert long.status_code == 422 and "q" in long.text


def test_exports_carry_the_number_and_the_new_columns(api, world):
    answer = api.get(f"{API}/ledger", params={"format": "xlsx", "sort": "hazard_no", "q": "宁海-2026"},
                     headers=world["bureau"])
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    header = [c.value for c in sheet[2]]
    assert header[0] == "隐患编号" and "隐患类别" in header and "督办级别" in header
    assert [row[0].value for row in sheet.iter_rows(min_row=3)] == ["宁海-2026-000001", "宁海-2026-000002"]


def test_the_cli_ledger_sorts_searches_and_shows_numbers(hazard, capsys):  # noqa: F811
    assert hazard("simulate", "--seed", "5", "--scale", "0.002") == 0
    capsys.readouterr()
    assert hazard("ledger", "--sort", "hazard_no", "--format", "json", "--page-size", "3") == 0
    numbers = [i["hazard_no"] for i in orjson.loads(capsys.readouterr().out)["items"]]
    assert numbers == sorted(numbers) and numbers[0].startswith("宁海-") and len(numbers) == 3
    assert hazard("ledger", "--q", numbers[1], "--format", "json") == 0
    assert [i["hazard_no"] for i in orjson.loads(capsys.readouterr().out)["items"]] == [numbers[1]]
    assert hazard("ledger", "--sort", "nope") == 2
    assert "不能按 'nope' 排序" in capsys.readouterr().err
