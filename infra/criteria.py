"""The criteria for major hazards and the checklist templates, read from data files once and
checked before the service starts.

- `infra/data/criteria/<regulation>.json`: one file per regulation (令10号 `gm10.json`, the 121
  standard `chem121.json`, 16号令's duties `ah16.json`); see docs/criteria.md.
- `infra/data/checklists/<template>.json`: one file per checklist template (检查表).

A file that is not right — a missing or unknown field, a duplicate id, a sector the county does
not have, an id that does not match its article and item, a checklist item citing a criterion
that does not exist — is a `CriteriaError` naming the file and the entry: nothing is served from
a half-read catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

from domain.checklist import Checklist, ChecklistItem
from domain.criteria import Criterion, Regulation

DATA = Path(__file__).with_name("data")
CRITERIA_DIR = DATA / "criteria"
CHECKLISTS_DIR = DATA / "checklists"
VERIFIED = {"2": "两份独立全文一致", "1": "一份逐字文本", "code": "仅见于代码中的清单",
            "unverified": "未核实"}

_REGULATION_FIELDS = {"id": str, "title": str, "number": str, "in_force_from": (str, type(None)),
                      "note": str}
_CRITERION_FIELDS = {"id": str, "article": (int, type(None)), "item": (int, type(None)),
                     "sectors": list, "condition": str, "major": bool, "branch": (str, type(None)),
                     "scope": str, "verified": str}
_CRITERION_REQUIRED = {"id", "article", "item", "sectors", "condition", "major"}
_CHECKLIST_FIELDS = {"id": str, "title": str, "sectors": list, "regulation": (str, type(None)),
                     "branch": (str, type(None)), "judge": str, "items": list}
_ITEM_FIELDS = {"id": str, "text": str, "criterion": (str, type(None)), "sectors": list}


class CriteriaError(ValueError):
    """A criteria or checklist file that cannot be served, with the place of the fault."""


@dataclass(frozen=True)
class Catalogue:
    """Every regulation and criterion, by id (read once)."""

    regulations: dict[str, Regulation]
    branches: dict[str, dict[str, str]]  # regulation id → branch code → Chinese name
    criteria: dict[str, Criterion]       # in file order: regulation, then article and item

    def get(self, criterion_id: str) -> Criterion | None:
        return self.criteria.get(criterion_id)

    def find(self, *, sector: str | None = None, regulation: str | None = None,
             major: bool | None = None, branch: str | None = None) -> list[Criterion]:
        return [c for c in self.criteria.values()
                if (sector is None or sector in c.sectors)
                and (regulation is None or c.regulation.id == regulation)
                and (major is None or c.major == major)
                and (branch is None or c.branch == branch)]

    def branch_name(self, criterion: Criterion) -> str | None:
        return self.branches.get(criterion.regulation.id, {}).get(criterion.branch or "")


@dataclass(frozen=True)
class Checklists:
    """Every checklist template, by id (read once)."""

    templates: dict[str, Checklist]

    def get(self, checklist_id: str) -> Checklist | None:
        return self.templates.get(checklist_id)

    def find(self, *, sector: str | None = None) -> list[Checklist]:
        return [t for t in self.templates.values() if sector is None or sector in t.sectors]


# --- reading -----------------------------------------------------------------------------

def load_criteria(folder: Path = CRITERIA_DIR, *, sectors: Iterable[str]) -> Catalogue:
    """Every `*.json` of `folder`, checked against the county's sector codes."""
    known = set(sectors)
    regulations: dict[str, Regulation] = {}
    branches: dict[str, dict[str, str]] = {}
    criteria: dict[str, Criterion] = {}
    for path in _files(folder):
        data = _read(path)
        _fields(path, "file", data, {"regulation": dict, "branches": dict, "criteria": list},
                {"regulation", "criteria"})
        regulation = _regulation(path, data["regulation"])
        if regulation.id in regulations:
            raise CriteriaError(f"{path}: regulation {regulation.id} is defined twice")
        regulations[regulation.id] = regulation
        branches[regulation.id] = _branches(path, data.get("branches", {}))
        if not data["criteria"]:
            raise CriteriaError(f"{path}: no criteria")
        for raw in data["criteria"]:
            criterion = _criterion(path, raw, regulation, branches[regulation.id], known)
            if criterion.id in criteria:
                raise CriteriaError(f"{path}: criterion {criterion.id} is defined twice")
            criteria[criterion.id] = criterion
    return Catalogue(regulations, branches, criteria)


def load_checklists(folder: Path = CHECKLISTS_DIR, *, catalogue: Catalogue,
                    sectors: Iterable[str]) -> Checklists:
    """Every `*.json` of `folder`; each item's criterion must exist in `catalogue` and apply to
    one of the item's sectors."""
    known = set(sectors)
    templates: dict[str, Checklist] = {}
    item_ids: set[str] = set()
    for path in _files(folder):
        template = _checklist(path, _read(path), catalogue, known)
        if template.id in templates:
            raise CriteriaError(f"{path}: checklist {template.id} is defined twice")
        for item in template.items:
            if item.id in item_ids:
                raise CriteriaError(f"{path}: checklist item {item.id} is defined twice")
            item_ids.add(item.id)
        templates[template.id] = template
    return Checklists(templates)


def _files(folder: Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise CriteriaError(f"{folder}: no such folder")
    files = sorted(folder.glob("*.json"))
    if not files:
        raise CriteriaError(f"{folder}: no *.json files")
    return files


def _read(path: Path) -> dict:
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise CriteriaError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise CriteriaError(f"{path}: the file must hold a JSON object")
    return data


def _fields(path: Path, where: str, raw: object, types: Mapping[str, type | tuple],
            required: Iterable[str]) -> None:
    """Refuse a non-object, a missing required field, an unknown field or a value of the wrong type."""
    if not isinstance(raw, dict):
        raise CriteriaError(f"{path}: {where}: must be a JSON object")
    missing = sorted(set(required) - set(raw))
    if missing:
        raise CriteriaError(f"{path}: {where}: missing field(s) {', '.join(missing)}")
    unknown = sorted(set(raw) - set(types))
    if unknown:
        raise CriteriaError(f"{path}: {where}: unknown field(s) {', '.join(unknown)}")
    for name, value in raw.items():
        wanted = types[name]
        if not isinstance(value, wanted) or (isinstance(value, bool) and wanted in (int, (int, type(None)))):
            raise CriteriaError(f"{path}: {where}: field {name} has the wrong type ({value!r})")
        if isinstance(value, str) and not value.strip() and name in required:
            raise CriteriaError(f"{path}: {where}: field {name} is empty")


def _regulation(path: Path, raw: object) -> Regulation:
    _fields(path, "regulation", raw, _REGULATION_FIELDS, {"id", "title", "number"})
    return Regulation(**raw)


def _branches(path: Path, raw: dict) -> dict[str, str]:
    for code, name in raw.items():
        if not isinstance(name, str) or not name.strip():
            raise CriteriaError(f"{path}: branch {code}: needs a Chinese name")
    return dict(raw)


def _criterion(path: Path, raw: object, regulation: Regulation, branches: dict[str, str],
               known: set[str]) -> Criterion:
    where = f"criterion {raw.get('id', '?') if isinstance(raw, dict) else '?'}"
    _fields(path, where, raw, _CRITERION_FIELDS, _CRITERION_REQUIRED)
    numbers = [str(n) for n in (raw["article"], raw["item"]) if n is not None]
    if not numbers or any(int(n) < 1 for n in numbers):
        raise CriteriaError(f"{path}: {where}: needs a positive article or item number")
    expected = "-".join([regulation.id, *numbers])
    if raw["id"] != expected:
        raise CriteriaError(f"{path}: {where}: the id must be {expected} (regulation, article, item)")
    _sectors(path, where, raw["sectors"], known)
    if raw.get("branch") is not None and raw["branch"] not in branches:
        raise CriteriaError(f"{path}: {where}: unknown branch {raw['branch']!r} "
                            f"(the file's branches: {', '.join(branches) or 'none'})")
    if raw.get("verified", "unverified") not in VERIFIED:
        raise CriteriaError(f"{path}: {where}: verified must be one of {', '.join(VERIFIED)}")
    return Criterion(**{**raw, "regulation": regulation, "sectors": tuple(raw["sectors"])})


def _sectors(path: Path, where: str, sectors: list, known: set[str]) -> None:
    if not sectors:
        raise CriteriaError(f"{path}: {where}: needs at least one sector")
    unknown = [s for s in sectors if s not in known]
    if unknown:
        raise CriteriaError(f"{path}: {where}: unknown sector(s) {', '.join(map(str, unknown))} "
                            f"(the county's sectors: {', '.join(sorted(known))})")


def _checklist(path: Path, raw: dict, catalogue: Catalogue, known: set[str]) -> Checklist:
    where = f"checklist {raw.get('id', '?')}"
    _fields(path, where, raw, _CHECKLIST_FIELDS, {"id", "title", "sectors", "items"})
    _sectors(path, where, raw["sectors"], known)
    regulation = None
    if raw.get("regulation") is not None:
        regulation = catalogue.regulations.get(raw["regulation"])
        if regulation is None:
            raise CriteriaError(f"{path}: {where}: unknown regulation {raw['regulation']!r}")
    if raw.get("branch") is not None and (regulation is None or
                                          raw["branch"] not in catalogue.branches[regulation.id]):
        raise CriteriaError(f"{path}: {where}: unknown branch {raw['branch']!r}")
    if not raw["items"]:
        raise CriteriaError(f"{path}: {where}: no items")
    items = tuple(_item(path, where, i, tuple(raw["sectors"]), catalogue, known) for i in raw["items"])
    return Checklist(id=raw["id"], title=raw["title"], sectors=tuple(raw["sectors"]), items=items,
                     regulation=regulation, branch=raw.get("branch"), judge=raw.get("judge", ""))


def _item(path: Path, where: str, raw: object, sectors: tuple[str, ...], catalogue: Catalogue,
          known: set[str]) -> ChecklistItem:
    where = f"{where}: item {raw.get('id', '?') if isinstance(raw, dict) else '?'}"
    _fields(path, where, raw, _ITEM_FIELDS, {"id", "text"})
    if "sectors" in raw:
        _sectors(path, where, raw["sectors"], known)
        sectors = tuple(raw["sectors"])
    criterion = None
    if raw.get("criterion") is not None:
        criterion = catalogue.get(raw["criterion"])
        if criterion is None:
            raise CriteriaError(f"{path}: {where}: unknown criterion {raw['criterion']!r}")
        if not set(criterion.sectors) & set(sectors):
            raise CriteriaError(f"{path}: {where}: criterion {criterion.id} applies to "
                                f"{', '.join(criterion.sectors)}, not to {', '.join(sectors)}")
    return ChecklistItem(id=raw["id"], text=raw["text"], sectors=sectors, criterion=criterion)
