"""`hazard import ledger` as an office uses it: Chinese messages, a progress bar on stderr,
bad rows listed by number (exit 1, nothing stored), a re-import that says it stores nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.services.test_import_ledger import good_rows, write_csv

HAZARD = str(Path(sys.executable).with_name("hazard"))


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([HAZARD, "import", "ledger", *args], env=env, capture_output=True, text=True, timeout=120)


def test_import_ledger_on_the_command_line(database_url, schema, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "HAZARD_DB_SCHEMA": schema,
           "HAZARD_DATA_DIR": str(tmp_path / "var")}
    bad = good_rows() + [["5", "913302261234567890", "丙厂", "跃龙街道", "工贸", "2025-01-01", "甲", "一般",
                          "物", "", "", "", "", "", "", ""]]
    refused = run(str(write_csv(tmp_path / "bad.csv", bad)), env=env)
    assert refused.returncode == 1
    assert "第 6 行：统一社会信用代码" in refused.stderr and "未存储任何内容" in refused.stderr

    path = write_csv(tmp_path / "台账.csv", good_rows())
    dry = run(str(path), "--dry-run", env=env)
    assert dry.returncode == 0 and "试运行，未存储" in dry.stdout and "将导入 4 行" in dry.stdout

    done = run(str(path), env=env)
    assert done.returncode == 0, done.stderr
    assert "导入 4 行" in done.stdout and "登记企业 2 家" in done.stdout
    assert "检查 [" in done.stderr and "存储 [" in done.stderr and "100.0%" in done.stderr  # progress bars
    again = run(str(path), env=env)
    assert again.returncode == 0 and "已导入过（4 行），本次未存储任何内容" in again.stdout

    (tmp_path / "台账.pdf").write_bytes(b"%PDF-1.4")
    not_a_sheet = run(str(tmp_path / "台账.pdf"), env=env)
    assert not_a_sheet.returncode == 2 and "不是电子表格" in not_a_sheet.stderr
    mapped = run(str(path), "--map", "nonsense=表头", env=env)
    assert mapped.returncode == 2 and "列名 'nonsense' 不存在" in mapped.stderr
