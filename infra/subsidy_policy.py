"""Subsidy policies per year, read from a data file (Ninghai's by default)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import orjson

from domain.subsidy import SubsidyPolicy

DEFAULT_FILE = Path(__file__).with_name("data") / "subsidy_ninghai.json"
_DECIMALS = ("comprehensive", "monthly", "full_rate", "band", "cut_per_band")


def load_policies(path: Path = DEFAULT_FILE) -> dict[int, SubsidyPolicy]:
    data = orjson.loads(Path(path).read_bytes())
    policies = {}
    for p in data["policies"]:
        fields = {**p, **{k: Decimal(p[k]) for k in _DECIMALS}}
        policies[p["year"]] = SubsidyPolicy(**fields)
    return policies


def policy_for(policies: dict[int, SubsidyPolicy], year: int) -> SubsidyPolicy:
    """The policy of a year, or the latest earlier one still in force."""
    earlier = [y for y in policies if y <= year]
    if not earlier:
        raise KeyError(f"no subsidy policy for {year}")
    latest = policies[max(earlier)]
    return latest if latest.year == year else SubsidyPolicy(**{**vars(latest), "year": year})
