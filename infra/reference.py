"""Reference data: the county's townships and sectors, read from a data file (not code)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson

DEFAULT_FILE = Path(__file__).with_name("data") / "ninghai.json"


@dataclass(frozen=True)
class ReferenceData:
    county_code: str
    county_name: str
    townships: dict[str, str]  # code → name
    sectors: dict[str, str]    # slug → name
    county_short: str = ""     # 宁海: in front of hazard numbers (宁海-2026-000123, issue 17 §4)

    @classmethod
    def load(cls, path: Path = DEFAULT_FILE) -> ReferenceData:
        data = orjson.loads(Path(path).read_bytes())
        return cls(
            county_code=data["county"]["code"],
            county_name=data["county"]["name"],
            townships={t["code"]: t["name"] for t in data["townships"]},
            sectors={s["code"]: s["name"] for s in data["sectors"]},
            county_short=data["county"].get("short") or data["county"]["name"].rstrip("县市区"),
        )
