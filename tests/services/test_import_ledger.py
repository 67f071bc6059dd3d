"""Import of an old ledger (issue 16 §1): good rows become their hazards' histories with the
ledger's business dates, flagged migrated; bad rows are listed with row numbers and reasons
and nothing is stored; --skip-bad; re-importing stores nothing; a non-spreadsheet is refused."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from domain.errors import InvalidValue
from domain.hazard import Hazard
from domain.parties import Enterprise
from services.importer import deciding
from services.importer.run import import_ledger
from tests.conftest import credit_code, stored_count

HEADER = ["序号", "统一社会信用代码", "企业名称", "乡镇（街道）", "行业", "发现日期", "隐患描述", "隐患等级",
          "隐患类别", "责任人", "整改期限", "整改完成日期", "整改资金", "是否复查/复查日期", "销号日期", "文号"]
A, B = credit_code(), credit_code()


def good_rows() -> list[list[str]]:
    return [
        ["1", A, "宁海甲五金厂", "跃龙街道", "工贸", "2025-03-05", "配电箱未接地", "一般", "物的不安全状态",
         "张三", "2025-03-20", "2025-03-15", "1200", "2025-03-18", "2025-03-19", ""],
        ["2", A, "宁海甲五金厂", "跃龙街道", "工贸", "2025/4/1", "粉尘涉爆除尘系统未按规定设置泄爆装置", "重大",
         "物的不安全状态", "张三", "2025-06-30", "2025-06-01", "50000", "是", "2025年6月10日", "宁应急销〔2025〕7号"],
        ["3", B, "宁海乙化工", "330226002", "chem", "2026-05-01", "员工未佩戴防护用品", "一般", "人的不安全行为",
         "李四", "2026-07-31", "", "", "", "", ""],
        ["4", B, "宁海乙化工", "桃源街道", "危险化学品", "2026-06-01", "安全管理制度不健全", "一般",
         "管理上的缺陷", "", "", "", "", "", "", ""],
    ]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    for row in [HEADER, *rows]:
        book.active.append(row)
    book.save(path)
    return path


def hazards(ledger) -> dict[str, Hazard]:
    datastore = ledger.recorder.datastore
    with datastore.transaction(commit=False) as curs:
        curs.execute(f'SELECT DISTINCT originator_id FROM "{datastore.schema}".{ledger.recorder.events_table_name}'
                     " WHERE topic LIKE '%Hazard.Reported'")
        ids = [r["originator_id"] for r in curs.fetchall()]
    found = [ledger.repository.get(i) for i in ids]
    return {h.description: h for h in found}


@pytest.fixture(params=["here", "forked"])
def deciders(request, monkeypatch):
    """Rows decided and encoded in the importing process (a small ledger), or in forked
    processes (a large one: `deciding.FORK_FROM` rows or more)."""
    if request.param == "forked":
        monkeypatch.setattr(deciding, "FORK_FROM", 1)
    return request.param


def test_a_good_ledger_becomes_histories_with_its_business_dates(ledger, tmp_path, deciders):
    out = import_ledger(ledger, write_xlsx(tmp_path / "台账.xlsx", good_rows()))
    assert (out.bad, out.stored_rows, out.enterprises) == ([], 4, 2)
    stored = hazards(ledger)
    general = stored["配电箱未接地"]
    assert (general.status, general.discovered_on, general.closed_on) == ("closed", date(2025, 3, 5), date(2025, 3, 19))
    assert general.migrated and general.rectification["rectified_on"] == date(2025, 3, 15)
    assert general.review["reviewed_on"] == date(2025, 3, 18) and general.deadline == date(2025, 3, 20)
    major = stored["粉尘涉爆除尘系统未按规定设置泄爆装置"]
    assert (major.status, major.level, major.closed_on) == ("closed", "major", date(2025, 6, 10))
    assert major.closure_report["document_no"] == "宁应急销〔2025〕7号" and major.joint_review_complete
    assert stored["员工未佩戴防护用品"].status == "assigned"
    assert stored["安全管理制度不健全"].status == "reported"
    enterprise = ledger.repository.get(Enterprise.create_id(B))
    assert (enterprise.name, enterprise.township, enterprise.sector) == ("宁海乙化工", "330226002", "chem")
    assert out.stored_events == stored_count(ledger)


def test_every_bad_row_is_listed_with_its_number_and_nothing_is_stored(ledger, tmp_path, deciders):
    rows = good_rows()
    wrong_check = A[:-1] + ("0" if A[-1] != "0" else "1")
    rows += [
        ["5", wrong_check, "丙厂", "跃龙街道", "工贸", "2025-01-01", "甲", "一般", "物", "", "", "", "", "", "", ""],
        ["6", A, "宁海甲五金厂", "跃龙街道", "工贸", "2027-01-01", "未来的隐患", "一般", "物", "", "", "", "", "", "", ""],
        ["7", A, "宁海甲五金厂", "跃龙街道", "工贸", "2025-05-01", "日期颠倒", "一般", "物", "王五", "2025-05-30",
         "2025-04-01", "", "", "", ""],
        ["8", A, "宁海甲五金厂", "不存在镇", "工贸", "2025-05-01", "未知乡镇", "较大", "其他", "", "", "", "", "", "", ""],
        # row 9 repeats row 2's hazard with another level: both rows are bad
        ["9", A, "宁海甲五金厂", "跃龙街道", "工贸", "2025-04-01", "粉尘涉爆除尘系统未按规定设置泄爆装置", "一般",
         "物的不安全状态", "张三", "2025-06-30", "2025-06-01", "50000", "是", "2025-06-10", "宁应急销〔2025〕7号"],
        ["10", A, "宁海甲五金厂", "跃龙街道", "工贸", "2025-05-01", "未复查却销号", "一般", "物", "王五", "2025-05-30",
         "2025-05-10", "", "否", "2025-05-20", ""],
    ]
    out = import_ledger(ledger, write_csv(tmp_path / "bad.csv", rows))
    reasons = {b.number: "；".join(b.reasons) for b in out.bad}
    assert sorted(reasons) == [3, 6, 7, 8, 9, 10, 11]  # the header is row 1
    assert "统一社会信用代码" in reasons[6]
    assert "晚于今天" in reasons[7]
    assert "整改完成日期 2025-04-01 早于发现日期" in reasons[8]
    assert "未知乡镇（街道）" in reasons[9] and "隐患等级" in reasons[9] and "隐患类别" in reasons[9]
    assert "第 10 行" in reasons[3] and "隐患等级" in reasons[3] and "第 3 行" in reasons[10]
    assert "未复查" in reasons[11]
    assert out.stored_rows == 0 and stored_count(ledger) == 0


def test_skip_bad_imports_the_good_rows(ledger, tmp_path, deciders):
    rows = good_rows() + [["5", A, "宁海甲五金厂", "跃龙街道", "工贸", "2027-01-01", "未来", "一般", "物",
                           "", "", "", "", "", "", ""]]
    out = import_ledger(ledger, write_csv(tmp_path / "l.csv", rows), skip_bad=True)
    assert [b.number for b in out.bad] == [6] and out.stored_rows == 4
    assert len(hazards(ledger)) == 4


def test_reimporting_the_same_file_stores_nothing(ledger, tmp_path):
    path = write_csv(tmp_path / "l.csv", good_rows())
    first = import_ledger(ledger, path)
    count = stored_count(ledger)
    again = import_ledger(ledger, path)
    assert (again.stored_rows, again.already, again.enterprises) == (0, first.stored_rows, 0)
    assert stored_count(ledger) == count


def test_dry_run_stores_nothing(ledger, tmp_path, deciders):
    out = import_ledger(ledger, write_csv(tmp_path / "l.csv", good_rows()), dry_run=True)
    assert out.stored_rows == 4 and out.stored_events > 4 and stored_count(ledger) == 0


def test_an_unknown_header_is_an_error_unless_mapped(ledger, tmp_path):
    header = [*HEADER[:5], "排查时间", *HEADER[6:]]
    path = write_csv(tmp_path / "l.csv", good_rows(), header)
    out = import_ledger(ledger, path)
    assert any("排查时间" in e for e in out.header_errors) and stored_count(ledger) == 0
    assert any("缺少必需的列：发现日期" in e for e in out.header_errors)
    mapped = import_ledger(ledger, path, mapping=["found_on=排查时间"])
    assert mapped.header_errors == [] and mapped.stored_rows == 4


@pytest.mark.parametrize("name, content", [("台账.pdf", b"%PDF-1.4 ..."), ("台账.xlsx", b"PK\x03\x04broken"),
                                           ("台账.csv", b"\x00\x01\x02binary")])
def test_a_file_that_is_not_a_spreadsheet_is_refused(ledger, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidValue) as e:
        import_ledger(ledger, path)
    assert "不是" in e.value.message and stored_count(ledger) == 0


def test_an_import_cut_short_stores_only_the_rest_when_run_again(ledger, tmp_path, monkeypatch, deciders):
    from services.importer import run

    monkeypatch.setattr(run, "BLOCK", 2)  # rows 2-3 and rows 4-5: two keyed writes
    monkeypatch.setattr(run, "WORKERS", 1)
    store, calls = run._store_block, []

    def crash_on_the_second(*args):
        calls.append(args[2])
        if args[2] == "rows-4-5":
            raise ConnectionError("the process died")
        return store(*args)

    monkeypatch.setattr(run, "_store_block", crash_on_the_second)
    path = write_csv(tmp_path / "l.csv", good_rows())
    with pytest.raises(ConnectionError):
        import_ledger(ledger, path)
    assert len(hazards(ledger)) == 2
    monkeypatch.setattr(run, "_store_block", store)
    again = import_ledger(ledger, path)
    assert (again.already, again.stored_rows, len(hazards(ledger))) == (2, 2, 4)


def test_date_cells_and_a_gb18030_csv_as_excel_saves_them(ledger, tmp_path):
    book = Workbook()
    book.active.append(HEADER)
    row = good_rows()[0]
    book.active.append([*row[:5], date(2025, 3, 5), *row[6:10], date(2025, 3, 20), date(2025, 3, 15), 1200,
                        date(2025, 3, 18), date(2025, 3, 19), None])
    book.save(tmp_path / "dates.xlsx")
    out = import_ledger(ledger, tmp_path / "dates.xlsx")
    assert (out.bad, out.stored_rows) == ([], 1)
    assert hazards(ledger)["配电箱未接地"].closed_on == date(2025, 3, 19)
    with (tmp_path / "gbk.csv").open("w", newline="", encoding="gb18030") as f:
        csv.writer(f).writerows([HEADER, good_rows()[3]])
    assert import_ledger(ledger, tmp_path / "gbk.csv").stored_rows == 1
