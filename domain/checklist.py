"""Checklist templates (检查表) as values: the items an inspector checks, each optionally tied
to the criterion (判定标准条款) it checks.

Which templates exist is data (`infra/data/checklists/*.json`, read by `infra/criteria.py`).
An item's text states a deficiency (a condition to look for): found → the item fails.
Pure: no files.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.criteria import Criterion, Regulation
from domain.errors import InvalidValue


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    text: str                       # in Chinese
    sectors: tuple[str, ...]        # the county's sector codes (the template's unless narrowed)
    criterion: Criterion | None = None


@dataclass(frozen=True)
class Checklist:
    """A template: one sector's (or one 专项's) items, in the order an inspector goes through them."""

    id: str
    title: str
    sectors: tuple[str, ...]
    items: tuple[ChecklistItem, ...]
    regulation: Regulation | None = None
    branch: str | None = None       # the regulation's division it covers (e.g. 机械)
    judge: str = ""                 # how an item is judged, in Chinese

    def item(self, item_id: str) -> ChecklistItem:
        """The item of this template, or InvalidValue naming the id (a result for an item not in it)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise InvalidValue("item_id", f"检查表 {self.id} 中没有检查项 {item_id}")

    def criteria(self) -> tuple[Criterion, ...]:
        """The criteria its items check, in order."""
        return tuple(i.criterion for i in self.items if i.criterion is not None)
