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
    assert summary["hazards"] == 90 and summary["failures"] == {}

    assert hazard("projections", "status") == 0
    status = capsys.readouterr().out.splitlines()
    assert status[0].split()[:2] == ["view", "position"] and status[1].split()[:2] == ["ledger", "0"]

    assert hazard("projections", "rebuild") == 0
    out, err = capsys.readouterr()
    assert "rebuilt: ledger @" in out and "100.0%" in err and "events/s" in err
    assert hazard("projections", "rebuild", "nope") == 1

    csv = tmp_path / "ledger.csv"
    assert hazard("ledger", "--format", "csv", "-o", str(csv)) == 0
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("隐患编号,企业名称") and len(lines) == 1 + summary["hazards"]

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
    assert [c.value for c in sheet[1]][:3] == ["乡镇（街道）", "应报企业数", "已排查企业数"]
