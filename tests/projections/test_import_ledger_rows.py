"""An imported ledger (issue 16 §1) shows in 隐患台账 with the old ledger's business dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from projections import reports
from projections.queries.base import Filters, Moment
from projections.queries.ledger import Page
from services.importer.run import import_ledger
from tests.services.test_import_ledger import good_rows, write_xlsx


def test_imported_rows_are_ledger_rows_with_their_business_dates(ledger, read_models, refresh, tmp_path):
    import_ledger(ledger, write_xlsx(tmp_path / "台账.xlsx", good_rows()))
    refresh()
    items = reports.ledger(read_models, Moment(as_of=date(2026, 6, 30)), Filters(), Page(1, 100))["items"]
    rows = {i["description"]: i for i in items}
    assert len(rows) == 4
    general = rows["配电箱未接地"]
    assert (general["enterprise_name"], general["township_name"], general["status_label"]) == (
        "宁海甲五金厂", "跃龙街道", "已销号")
    assert (general["discovered_on"], general["deadline"], general["review_passed_on"], general["closed_on"]) == (
        date(2025, 3, 5), date(2025, 3, 20), date(2025, 3, 18), date(2025, 3, 19))
    assert general["rectification_cost"] == Decimal("1200")
    major = rows["粉尘涉爆除尘系统未按规定设置泄爆装置"]
    assert (major["level"], major["status_label"], major["closed_on"]) == ("major", "已销号", date(2025, 6, 10))
    assert rows["员工未佩戴防护用品"]["responsible_person"] == "李四"
    # as of a day in 2025 the old ledger's history is what stood then
    then = reports.ledger(read_models, Moment(as_of=date(2025, 3, 10)), Filters(), Page(1, 100))["items"]
    assert [(i["description"], i["status"]) for i in then] == [("配电箱未接地", "assigned")]
