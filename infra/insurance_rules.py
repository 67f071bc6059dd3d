"""The county's insurance data (安责险, issue 15 §3): mandatory sectors, prevention-fee rate,
pre-underwriting window. Read once from infra/data/insurance_ninghai.json."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import orjson

from domain.insurance import InsuranceRules

DEFAULT_FILE = Path(__file__).with_name("data") / "insurance_ninghai.json"


def load_insurance_rules(path: Path | str | None = None) -> InsuranceRules:
    path = Path(path or DEFAULT_FILE)
    data = orjson.loads(path.read_bytes())
    sectors = {e["sector"]: e["paper"] for e in data["mandatory_sectors"] if e.get("sector")}
    rate = Decimal(str(data["prevention_rate"]))
    days = int(data["pre_underwriting_days"])
    if not 0 < rate <= 1 or days < 0:
        raise ValueError(f"{path}: prevention_rate 须在 (0, 1] 之内、pre_underwriting_days 不能为负")
    return InsuranceRules(mandatory_sectors=sectors, prevention_rate=rate, pre_underwriting_days=days)


@lru_cache(maxsize=1)
def default_insurance_rules() -> InsuranceRules:
    """The rules, read once."""
    return load_insurance_rules()
