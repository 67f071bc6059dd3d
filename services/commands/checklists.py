"""Recording an inspection's checklist (检查表) and linking its failed items to hazards."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from domain.actor import Actor
from domain.checklist import Checklist
from domain.errors import InvalidValue
from domain.hazard import Hazard
from domain.inspection import Inspection
from domain.inspection_checklist import EVIDENCE
from infra.citations import Citation, citing

KIND = "inspection"  # the kind recorded in file_citations (infra/citations.py)


class Templates(Protocol):
    def get(self, template_id: str) -> Checklist | None: ...


class ChecklistCommands:
    def record_checklist(self, actor: Actor, inspection_id: str, *, template_id: str,
                         results: list[Mapping[str, Any]], templates: Templates):
        """One template's results on a performed inspection; `templates`: the county's
        checklist templates (`Config.checklists`). An unknown template is 422 `template_id`."""
        template = templates.get(template_id)
        if template is None:
            raise InvalidValue("template_id", f"检查表 {template_id} 不存在")
        inspection = self.load(Inspection, inspection_id)
        hazards = {}
        for n, result in enumerate(results):
            if result.get("hazard_id") and result.get("result") == "failed":  # others: the domain refuses
                hazards[result["hazard_id"]] = self.named(Hazard, result["hazard_id"], f"results.{n}.hazard_id", "隐患")
        cited = self._stored_evidence(results)
        inspection.record_checklist(template=template, results=results, hazards=hazards, actor=actor)
        with citing(Citation(KIND, str(inspection.id), cited)):
            return self.store(inspection)

    def link_checklist_hazard(self, actor: Actor, inspection_id: str, *, item_id: str, hazard_id: str):
        """Link a failed item to the hazard it was reported as."""
        inspection = self.load(Inspection, inspection_id)
        hazard = self.named(Hazard, hazard_id, "hazard_id", "隐患")
        inspection.link_hazard(item_id=item_id, hazard=hazard, actor=actor)
        return self.store(inspection)

    def _stored_evidence(self, results: list[Mapping[str, Any]]) -> tuple[str, ...]:
        """The files the results cite (checked in form by the domain), each one stored (422
        naming the entry that is not: `results.<n>.evidence.<m>`)."""
        hashes: dict[str, None] = {}
        for n, result in enumerate(results):
            for m, ref in enumerate(result.get("evidence") or []):
                ref = ref.strip()
                if not EVIDENCE.fullmatch(ref):
                    continue  # the domain names the malformed entry
                if not self.evidence_files.exists(ref.removeprefix("sha256:")):
                    raise InvalidValue(f"results.{n}.evidence.{m}", f"证据文件 {ref} 不存在（先 POST /api/v1/files 上传）")
                hashes[ref.removeprefix("sha256:")] = None
        return tuple(hashes)
