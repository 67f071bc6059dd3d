"""The county's smart-electricity policy (智慧用电告警转隐患), from its policy file.

Section `electricity` of the county policy file (HAZARD_POLICY_FILE; Ninghai's by default):
`{"alarms": 3, "within_hours": 24}` — that many alarms of one kind at one enterprise within that
many hours raise a hazard (domain/electricity.py). A file without the section gets the defaults;
a value out of range stops the service at start.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from domain.electricity import ElectricityPolicy


def load_electricity_policy(path: str | Path) -> ElectricityPolicy:
    data = orjson.loads(Path(path).read_bytes())
    section = data.get("electricity", {}) if isinstance(data, dict) else {}
    return ElectricityPolicy(alarms=int(section.get("alarms", ElectricityPolicy.alarms)),
                             within_hours=int(section.get("within_hours", ElectricityPolicy.within_hours)))
