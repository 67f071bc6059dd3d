"""判定依据 in the ledger and the history (issue 13 point 3): a hazard citing a criterion shows
its article in Chinese in `GET /ledger` (JSON, CSV, XLSX), is found by `?criterion=`, and
`hazard ledger` / `hazard history` print the article; a regrade that drops the citation drops it
from the ledger too."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from uuid import UUID
from openpyxl import load_workbook

from domain.actor import Role
from projections.operations import catch_up, rebuild, replay_env, running_projections
from projections.readmodels import open_view
from services.api.app import create_app
from tests.conftest import actor, credit_code
from tests.e2e import test_cli
from tests.e2e.test_cli import run

API = "/api/v1"
ART_4_1 = "《工贸企业重大事故隐患判定标准》第四条第（一）项"
BUREAU = actor(Role.BUREAU, "县应急管理局 张局")
cli_env = test_cli.cli_env  # the fixture: the hazard command's environment


@pytest.fixture
def api(ledger, tokens, store_env) -> Iterator[TestClient]:
    with running_projections(store_env, reference=ledger.reference) as read_models:
        with TestClient(create_app(ledger, tokens, read_models=read_models)) as client:
            yield client


@pytest.fixture
def cited(ledger) -> dict[str, str]:
    """Three hazards of a metallurgy works: one citing 第四条第（一）项, one whose citation a
    downgrade dropped, one citing nothing."""
    firm = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="某冶金厂",
                                      township="330226001", sector="metallurgy", scale="small_micro").id
    report = lambda criterion, level: ledger.report_hazard(  # noqa: E731
        BUREAU, enterprise_id=firm, source="government_check", category="unsafe_condition",
        description=f"熔融金属吊运区域设休息室 {criterion}", level=level,
        discovered_on=date(2026, 6, 2), criterion=criterion).id
    ids = {"cited": report("gm10-4-1", "major"), "dropped": report("gm10-4-1", "major"),
           "none": report(None, "general")}
    written = ledger.regrade_hazard(BUREAU, ids["dropped"], level="general", reason="复核：休息室已拆除")
    return {**ids, "position": str(written.position)}


def _ledger(api: TestClient, auth, **params) -> dict:
    answer = api.get(f"{API}/ledger", params=params, headers=auth("bureau"))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_ledger_shows_the_article_in_chinese(api, auth, cited):
    body = _ledger(api, auth, after=cited["position"])
    rows = {i["hazard_id"]: i for i in body["items"]}
    assert (rows[cited["cited"]]["criterion"], rows[cited["cited"]]["criterion_article"]) == ("gm10-4-1", ART_4_1)
    assert rows[cited["dropped"]]["criterion"] is None and rows[cited["dropped"]]["criterion_article"] is None
    assert rows[cited["none"]]["criterion_article"] is None
    # as of the day it was found (before the downgrade was recorded) the second one still cites it
    before = {i["hazard_id"]: i for i in _ledger(api, auth, as_of="2026-06-02")["items"]}
    assert before[cited["dropped"]]["criterion_article"] == ART_4_1


def test_the_ledger_filters_by_criterion_and_refuses_an_unknown_one(api, auth, cited):
    body = _ledger(api, auth, after=cited["position"], criterion="gm10-4-1")
    assert [i["hazard_id"] for i in body["items"]] == [cited["cited"]]
    assert _ledger(api, auth, criterion="gm10-5-1")["total"] == 0
    answer = api.get(f"{API}/ledger", params={"criterion": "gm10-99-9"}, headers=auth("bureau"))
    assert answer.status_code == 422 and "gm10-99-9" in answer.text and "criterion" in answer.text


def test_the_exports_have_a_column_判定依据(api, auth, cited):
    params = {"after": cited["position"], "format": "csv"}
    text = api.get(f"{API}/ledger", params=params, headers=auth("bureau")).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["判定依据"] for r in rows) == ["", "", ART_4_1]
    xlsx = api.get(f"{API}/ledger", params={**params, "format": "xlsx"}, headers=auth("bureau")).content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    header = [c.value for c in sheet[2]]
    column = [row[header.index("判定依据")] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert sorted(column, key=str) == [None, None, ART_4_1]


def test_the_cli_prints_the_article(ledger, cited, database_url, schema, cli_env):
    cli_env.update(DATABASE_URL=database_url, HAZARD_DB_SCHEMA=schema)
    table = run("ledger", "--criterion", "gm10-4-1", env=cli_env)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert "共 1 条" in lines[0] and "判定依据" in lines[1].split() and ART_4_1 in lines[3]
    assert run("ledger", "--criterion", "gm10-99-9", env=cli_env).returncode == 2
    history = run("history", cited["dropped"], env=cli_env)
    assert history.returncode == 0, history.stderr
    lines = history.stdout.splitlines()
    assert f"判定依据 {ART_4_1}" not in lines[0]  # dropped by the downgrade …
    assert "隐患上报" in lines[1] and "（县应急管理局）" in lines[1]
    regraded = next(i for i, line in enumerate(lines) if "调整等级" in line)  # … which the history shows
    assert f"      判定依据：{ART_4_1}" in lines[2:regraded]
    kept = run("history", cited["cited"], env=cli_env).stdout.splitlines()
    assert f"判定依据 {ART_4_1}" in kept[0]


def test_a_store_made_before_the_column_gets_it_on_start(ledger, cited, store_env):
    """Views built before issue 13 lack `criterion`: opening the view (as `hazard serve` does on
    start) adds it, old rows NULL; `hazard projections rebuild ledger` fills them."""
    env = replay_env(store_env)
    catch_up(store_env, ["ledger"])
    view = open_view("ledger", env)
    with view.datastore.transaction(commit=True) as curs:  # the shape of a store made before
        for table in ("ledger_hazards", "ledger_hazard_changes"):
            curs.execute(view.sql("ALTER TABLE {schema}.{t} DROP COLUMN criterion", t=table))
    view.datastore.close()

    def cited_now() -> dict[str, str | None]:
        view = open_view("ledger", env)
        try:
            with view.datastore.transaction(commit=False) as curs:
                curs.execute(view.sql("SELECT hazard_id, criterion FROM {schema}.ledger_hazards"))
                return {r["hazard_id"]: r["criterion"] for r in curs.fetchall()}
        finally:
            view.datastore.close()

    assert cited_now() == dict.fromkeys([cited["cited"], cited["dropped"], cited["none"]])
    rebuild(store_env, ["ledger"])
    assert cited_now() == {cited["cited"]: "gm10-4-1", cited["dropped"]: None, cited["none"]: None}


def test_the_investigators_trace_shows_the_article(api, auth, cited, ledger):
    firm = ledger.repository.get(UUID(cited["cited"])).enterprise_id
    url = f"{API}/trace/enterprises/{firm}?until=2026-06-30&after={cited['position']}"
    body = api.get(url, headers=auth("investigator"))
    assert body.status_code == 200, body.text
    rows = {h["hazard_id"]: h for h in body.json()["hazards"]}
    assert rows[cited["cited"]]["criterion_article"] == ART_4_1
    assert rows[cited["none"]]["criterion_article"] is None
    page = api.get(url + "&format=html", headers=auth("investigator"))
    assert "判定依据" in page.text and ART_4_1 in page.text
