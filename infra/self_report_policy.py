"""The county's grace day for enterprises' monthly self-reports (自查自报), from its policy file.

Section `self_reports` of the county policy file (HAZARD_POLICY_FILE; Ninghai's by default):
`{"grace_day": 5}` — a month's self-report is on time up to that day of the next month. A file
without the section gets the default (the 5th). A value outside 1–28 stops the service at start.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from domain.self_report import SelfReportPolicy


def load_self_report_policy(path: str | Path) -> SelfReportPolicy:
    data = orjson.loads(Path(path).read_bytes())
    section = data.get("self_reports", {}) if isinstance(data, dict) else {}
    return SelfReportPolicy(grace_day=int(section.get("grace_day", SelfReportPolicy.grace_day)))
