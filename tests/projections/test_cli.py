"""`hazard simulate | projections | ledger | rates | compliance | statistics` (via `register`)."""

from __future__ import annotations

import argparse
import io

import orjson
import pytest
from openpyxl import load_workbook

from infra.settings import Settings
from services.cli.readmodels import register
from services.runtime import Config
from tests.conftest import POLITE_ENV


@pytest.fixture
def hazard(database_url, schema, tmp_path):
    """Run a `hazard` subcommand in-process, as `hazard` does."""
    parser = argparse.ArgumentParser(prog="hazard")
    register(parser.add_subparsers(dest="command", required=True))
    config = Config(Settings.from_env({"DATABASE_URL": database_url, "HAZARD_DB_SCHEMA": schema,
                                  "HAZARD_DATA_DIR": str(tmp_path / "var"), **POLITE_ENV}))

    def run(*argv: str) -> int:
        args = parser.parse_args(argv)
        return args.run(args, config)

    return run


def test_simulate_then_status_rebuild_and_the_four_reports(hazard, capsys, tmp_path):
    assert hazard("simulate", "--seed", "3", "--scale", "0.002", "--json") == 0
    summary = orjson.loads(capsys.readouterr().out)
    found_by_groups = summary["mutual_help"]["group_hazards"] + summary["mutual_help"]["association_hazards"]
    assert summary["hazards"] - found_by_groups == 90 and summary["failures"] == {}

    assert hazard("projections", "status") == 0
    status = capsys.readouterr().out.splitlines()
    assert status[1].split()[:3] == ["视图", "内容", "已处理到位置"]
    assert status[3].split()[:3] == ["ledger", "隐患台账", "0"]

    assert hazard("projections", "rebuild") == 0
    out, err = capsys.readouterr()
    assert "rebuilt: ledger @" in out and "100.0%" in err and "events/s" in err
    assert hazard("projections", "rebuild", "nope") == 1

    csv = tmp_path / "ledger.csv"
    assert hazard("ledger", "--format", "csv", "-o", str(csv)) == 0
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    raised = summary["electricity"]["hazards_raised"]  # from smart-electricity alarms (issue 15 §4)
    assert lines[0].startswith("隐患编号,企业名称") and len(lines) == 1 + summary["hazards"] + raised

    assert hazard("ledger", "--level", "general", "--as-of", "2025-06-30", "--page-size", "3") == 0
    assert "隐患台账 截至 2025-06-30" in capsys.readouterr().out

    assert hazard("rates", "--by", "county", "--period", "year") == 0
    assert "合计" in capsys.readouterr().out

    assert hazard("compliance", "--state", "violated", "--as-of", "2025-12-31", "--format", "json") == 0
    result = orjson.loads(capsys.readouterr().out)
    assert result["as_of"] == "2025-12-31" and all(
        "violated" in {c["state"] for c in i["checks"].values()} for i in result["items"])

    xlsx = tmp_path / "stats.xlsx"
    assert hazard("statistics", "2025Q4", "--format", "xlsx", "-o", str(xlsx)) == 0
    sheet = load_workbook(io.BytesIO(xlsx.read_bytes())).active
    assert sheet["A1"].value.startswith("统计分析表 2025Q4") and "制表日期" in sheet["A1"].value
    assert [c.value for c in sheet[2]][:3] == ["乡镇（街道）", "应报企业数", "已排查企业数"]


def test_listings_print_aligned_tables_with_chinese_headers(hazard, capsys):
    """Issue 17 §7: columns with Chinese headers, labels not codes, the API's parameter names."""
    assert hazard("simulate", "--seed", "5", "--scale", "0.002") == 0
    summary = capsys.readouterr().out
    assert "企业：60" in summary and "隐患排查：全面排查" in summary and "{" not in summary

    assert hazard("ledger", "--page-size", "3") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["隐患编号", "发现日期", "隐患等级", "隐患类别", "督办级别", "状态", "逾期", "企业名称",
                                "乡镇（街道）", "隐患描述", "责任人", "整改期限", "判定依据"]  # issue 17 §4
    assert len(lines) == 3 + 3 and lines[3].split()[2] in ("一般隐患", "重大隐患")
    assert lines[3].split()[0].startswith("宁海-2025-")

    assert hazard("ledger", "--deadline-from", "2025-07-01", "--deadline-to", "2025-07-31", "--format", "json") == 0
    deadlines = [i["deadline"] for i in orjson.loads(capsys.readouterr().out)["items"]]
    assert deadlines and all("2025-07-01" <= d <= "2025-07-31" for d in deadlines)  # the API's deadline_from/_to

    assert hazard("compliance", "--page-size", "1") == 0
    out = capsys.readouterr().out
    assert "责任已落实" in out and "/0" not in out  # was "1/0   /0"

    assert hazard("statistics", "--period", "2025Q4") == 0  # the API's name for it
    assert capsys.readouterr().out.splitlines()[1].split()[:2] == ["乡镇（街道）", "排查次数"]
    assert hazard("statistics") == 2


def test_an_event_on_the_stream_reads_in_chinese():
    from infra.reference import ReferenceData
    from services.cli.fanout import readable_line

    line = readable_line({"type": "Hazard.Reported", "aggregate_type": "Hazard", "aggregate_id": "1a2b3c4d-0000",
                          "position": 42, "time": "2026-06-30T02:15:02+00:00", "township": "330226011",
                          "sector": "chem", "actor": {"name": "李工", "role": "agency"},
                          "data": {"level": "major", "source": "inspection", "description": "储罐区",
                                   "enterprise_id": "x"}}, ReferenceData.load())
    assert line == ("#42  2026-06-30 10:15:02+08:00  隐患上报  西店镇·危险化学品  李工（中介机构）  隐患 1a2b3c4d  "
                    "等级：重大隐患  隐患来源：隐患排查  描述：储罐区")
