"""Hazard numbers (隐患编号, issue 17 §4): 宁海-2026-000123, per discovered year in log order,
the same after a rebuild whatever the batch size; found by the ledger's search and sort."""

from __future__ import annotations

from datetime import date

from psycopg import sql

from projections import reports
from projections.operations import rebuild
from projections.queries.base import Filters, Moment
from projections.queries.ledger import Page, parse_sort
from tests.conftest import credit_code
from tests.projections.conftest import BUREAU


def _found(scenario, on: date) -> str:
    return scenario.app.report_hazard(BUREAU, enterprise_id=scenario.enterprise, source="government_check",
                                      category="unsafe_condition", description="安全出口锁闭",
                                      level="general", discovered_on=on).id


def _numbers(rm, **filters) -> dict[str, str]:
    order = filters.pop("order", parse_sort(None))
    result = reports.ledger(rm, Moment(), Filters(**filters), Page(1, 100), order)
    return {i["hazard_id"]: i["hazard_no"] for i in result["items"]}


def test_numbers_count_per_discovered_year_in_log_order_and_survive_a_rebuild(
        scenario, read_models, refresh, store_env):
    days = [date(2025, 11, 3), date(2026, 2, 1), date(2025, 12, 30), date(2026, 1, 5), date(2026, 3, 9)]
    ids = []
    for day in days[:3]:
        ids.append(_found(scenario, day))
        refresh()  # one report a batch, as a live follower sees them
    ids += [_found(scenario, day) for day in days[3:]]
    refresh()  # two in one batch
    numbers = _numbers(read_models)
    assert [numbers[h] for h in ids] == ["宁海-2025-000001", "宁海-2026-000001", "宁海-2025-000002",
                                         "宁海-2026-000002", "宁海-2026-000003"]
    rebuild(store_env, ["ledger"], batch_size=10_000)  # all in one batch this time
    assert _numbers(read_models) == numbers
    changes = reports.ledger(read_models, Moment(as_of=date(2026, 1, 31)), Filters(), Page(1, 100))
    assert {i["hazard_id"]: i["hazard_no"] for i in changes["items"]} == {
        h: numbers[h] for h in (ids[0], ids[2], ids[3])}  # time travel shows the numbers too


def test_a_store_from_before_the_numbers_continues_where_a_rebuild_puts_them(
        scenario, read_models, refresh, store_env):
    first = [_found(scenario, date(2026, 4, day)) for day in (1, 2)]
    refresh()
    view = read_models.ledger
    with view.datastore.transaction(commit=True) as curs:
        for table in ("ledger_hazards", "ledger_hazard_changes"):  # as ALTER TABLE leaves them
            curs.execute(sql.SQL("UPDATE {} SET hazard_no = NULL").format(view.table(table)))
    later = _found(scenario, date(2026, 4, 3))
    refresh()
    assert _numbers(read_models)[later] == "宁海-2026-000003"
    assert _numbers(read_models)[first[0]] is None  # until the rebuild
    rebuild(store_env, ["ledger"])
    numbers = _numbers(read_models)
    assert [numbers[h] for h in [*first, later]] == [f"宁海-2026-00000{n}" for n in (1, 2, 3)]


def test_search_by_number_credit_code_or_name_and_sort_by_any_column(scenario, read_models, refresh):
    a, b = _found(scenario, date(2026, 4, 1)), _found(scenario, date(2026, 4, 2))
    other = scenario.app.register_enterprise(BUREAU, credit_code=credit_code(), name="宁海某五金厂", township="330226001",
                                             sector="trade", scale="small_micro")
    c = scenario.app.report_hazard(BUREAU, enterprise_id=other.id, source="government_check",
                                   category="unsafe_act", description="未戴安全帽",
                                   level="general", discovered_on=date(2026, 4, 3)).id
    refresh()
    assert set(_numbers(read_models, search="宁海-2026-000002")) == {b}
    assert set(_numbers(read_models, search="2026-00000")) == {a, b, c}
    assert set(_numbers(read_models, search="五金")) == {c}
    code = reports.ledger(read_models, Moment(), Filters(), Page(1, 10))["items"]
    credit = next(i["credit_code"] for i in code if i["hazard_id"] == c)
    assert set(_numbers(read_models, search=credit[-6:].lower())) == {c}  # any case, any part
    assert set(_numbers(read_models, search="100%_")) == set()  # pattern characters are literal
    assert list(_numbers(read_models, order=parse_sort("hazard_no"))) == [a, b, c]
    assert list(_numbers(read_models, order=parse_sort("-hazard_no"))) == [c, b, a]
    by_name = list(_numbers(read_models, order=parse_sort("enterprise_name,-discovered_on")))
    assert by_name in ([c, b, a], [b, a, c])  # one enterprise's together, newest first (collation decides which firm first)
