"""`hazard accountability | trace | coverage | subsidies | audit export | audit check-export`
(via `register`, in-process, as `hazard` runs them)."""

from __future__ import annotations

import argparse
import io

import orjson
import pytest
from openpyxl import load_workbook

from infra.settings import Settings
from services.cli.accountability import register
from services.runtime import Config
from tests.conftest import POLITE_ENV
from tests.projections.test_accountability import build_world


@pytest.fixture
def hazard(database_url, schema, tmp_path):
    parser = argparse.ArgumentParser(prog="hazard")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("audit").add_subparsers(dest="action", required=True)  # as services/cli/hazard.py does
    register(commands)
    config = Config(Settings.from_env({"DATABASE_URL": database_url, "HAZARD_DB_SCHEMA": schema,
                                  "HAZARD_DATA_DIR": str(tmp_path / "var"), **POLITE_ENV}))

    def run(*argv: str) -> int:
        args = parser.parse_args(argv)
        return args.run(args, config)

    return run


@pytest.fixture
def world(store_env):
    from services.application import HazardLedger
    from tests.projections.test_accountability import TODAY

    app = HazardLedger(store_env, clock=lambda: TODAY)
    try:
        yield build_world(app), app
    finally:
        app.close()


def test_the_commands_print_read_and_export(hazard, world, capsys, tmp_path):
    w, app = world
    assert hazard("accountability", w.a1, "--year", "2026") == 0
    out = capsys.readouterr().out
    assert "宁海安评咨询有限公司" in out and "【黑名单】漏查重大隐患" in out and "迟报 1" in out
    assert "考评 2025：80.0 分 合格" in out and "漏查：甲化工" in out

    page = tmp_path / "trace.html"
    assert hazard("trace", w.e1, "--until", "2026-05-31", "--html", str(page), "--no-catch-up") == 0
    html = page.read_text("utf-8")
    assert "事故调查追溯报告" in html and "2026-05-31" in html and "周工" in html
    assert hazard("trace", w.e1, "--until", "2026-05-31", "--json", "--no-catch-up") == 0
    assert orjson.loads(capsys.readouterr().out)["unenforced"] == [w.hazards["h2"]]
    assert hazard("trace", "00000000-0000-0000-0000-000000000000", "--no-catch-up") == 1

    book = tmp_path / "coverage.xlsx"
    assert hazard("coverage", "--year", "2026", "--format", "xlsx", "-o", str(book), "--no-catch-up") == 0
    sheet = load_workbook(io.BytesIO(book.read_bytes())).worksheets[1]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["企业名称", "丙建筑"]
    assert hazard("coverage", "--year", "2026", "--no-catch-up") == 0
    assert "跃龙街道" in capsys.readouterr().out

    assert hazard("subsidies", "--year", "2026", "--no-catch-up") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["中介机构", "全面排查（家）", "按月服务（家）", "签约率", "应得（元）",
                                "已拨付（元）", "申报状态"]
    assert ["500", "-", "未申报"] in [line.split()[-3:] for line in lines[3:-1]]
    assert lines[-1].split()[0] == "合计" and lines[-1].split()[-3:] == ["500", "0", "-"]
    assert hazard("subsidies", "--year", "2026", "--format", "json", "--no-catch-up") == 0
    assert orjson.loads(capsys.readouterr().out)["total"]["total"] == "500"
    assert hazard("subsidies", "--year", "2010", "--no-catch-up") == 1

    exported = tmp_path / "e1.json"
    assert hazard("audit", "export", w.e1, "--out", str(exported)) == 0
    document = orjson.loads(exported.read_bytes())
    assert document["enterprise_id"] == w.e1 and document["unchained"] == 0
    capsys.readouterr()
    assert hazard("audit", "check-export", str(exported)) == 0
    assert "全部与哈希链一致" in capsys.readouterr().out
    document["events"][0]["data"]["name"] = "篡改后的企业名称"
    document["events"][1]["chain"] = "00" * 32
    exported.write_bytes(orjson.dumps(document))
    assert hazard("audit", "check-export", str(exported)) == 1
    out = capsys.readouterr().out
    assert "可读数据与存储内容不符" in out and "链值与摘要不符" in out and "3 处不符" in out
