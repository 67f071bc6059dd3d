"""Erasure of personal information over HTTP and from the console (issue 16 §6): only the bureau
and admins find and erase; after an erasure the hazard's read, its history and the ledger's CSV
show 已删除; erasing again answers the first erasure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from domain.hazard import Hazard
from domain.privacy import ERASED
from services.application import HazardLedger
from tests.conftest import TODAY, actor, credit_code

API = "/api/v1"
HAZARD = str(Path(sys.executable).with_name("hazard"))
OWNER = actor("enterprise", "企业安全员")


def _hazard(ledger, person: str, phone: str) -> tuple[str, int]:
    enterprise = ledger.register_enterprise(actor("bureau"), credit_code=credit_code(), name="删除测试厂",
                                            township="330226001", sector="trade", scale="individual").id
    h = ledger.report_hazard(OWNER, enterprise_id=enterprise, source="self_check", category="unsafe_condition",
                             description="配电箱无防护门", level="general", discovered_on=date(2026, 6, 1)).id
    written = ledger.assign_responsibility(OWNER, h, responsible_person=person, responsible_phone=phone,
                                           deadline=date(2026, 7, 1))
    return h, written.position


def test_the_bureau_erases_and_every_read_shows_erased(api, auth, ledger):
    hazard, position = _hazard(ledger, "张三", "13800001111")
    bureau = auth("bureau")
    before = api.get(f"{API}/ledger", params={"after": position, "format": "csv"}, headers=bureau)
    assert "张三" in before.content.decode("utf-8-sig")
    found = api.get(f"{API}/persons", params={"name": "张三"}, headers=bureau)
    assert found.status_code == 200, found.text
    [person] = found.json()
    assert (person["kind"], person["hint"]) == ("responsible", "1111")
    for role, scope in (("township", {"township": "330226001"}), ("enterprise", {"enterprise_id": "x"}),
                        ("auditor", {})):
        refused = api.post(f"{API}/persons/{person['person_id']}/erasure", json={"reason": "本人申请"},
                           headers=auth(role, **scope))
        assert refused.status_code == 403 and refused.json()["rule"] == "access:person.erase"
    assert api.post(f"{API}/persons/{person['person_id']}/erasure", json={"reason": " "},
                    headers=bureau).status_code == 422
    erased = api.post(f"{API}/persons/{person['person_id']}/erasure",
                      json={"reason": "本人申请删除（个人信息保护法第四十七条）"}, headers=bureau)
    assert erased.status_code == 201, erased.text

    read = api.get(f"{API}/hazards/{hazard}", headers=bureau).json()
    assert ERASED in json.dumps(read, ensure_ascii=False) and "张三" not in json.dumps(read, ensure_ascii=False)
    history = api.get(f"{API}/hazards/{hazard}/history", headers=bureau).text
    assert "张三" not in history and "13800001111" not in history
    table = api.get(f"{API}/ledger", params={"after": erased.json()["position"], "format": "csv"},
                    headers=bureau).content.decode("utf-8-sig")
    assert "张三" not in table and ERASED in table
    again = api.post(f"{API}/persons/{person['person_id']}/erasure", json={"reason": "再次申请"},
                     headers=auth("admin"))
    assert again.status_code == 201 and again.json()["id"] == erased.json()["id"]
    assert api.get(f"{API}/persons", params={"name": "张三"}, headers=bureau).json() == []
    assert api.post(f"{API}/persons/00000000-0000-4000-8000-000000000000/erasure", json={"reason": "本人申请"},
                    headers=bureau).status_code == 404


def test_the_console_finds_and_erases(ledger, store_env, schema):
    hazard, _ = _hazard(ledger, "李四", "13900002222")
    ledger.audit_chain().extend_all()  # what the chain keeper does while serving
    env = {**os.environ, "HAZARD_DB_SCHEMA": schema}
    found = subprocess.run([HAZARD, "privacy", "find", "--name", "李四", "--format", "json"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stderr
    listing = json.loads(found.stdout)
    assert listing["legacy_events"] == 0
    [person] = listing["persons"]
    table = subprocess.run([HAZARD, "privacy", "find", "--name", "李四"], env=env, capture_output=True,
                           text=True, timeout=120)
    assert "隐患整改责任人" in table.stdout and "人员编号" in table.stdout
    erased = subprocess.run([HAZARD, "privacy", "erase", "--person", person["person_id"], "--reason", "本人申请"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert erased.returncode == 0, erased.stderr
    assert "已删除人员" in erased.stdout and "视图已重建" in erased.stdout
    unknown = subprocess.run([HAZARD, "privacy", "erase", "--person", "nobody", "--reason", "本人申请"],
                             env=env, capture_output=True, text=True, timeout=120)
    assert unknown.returncode == 1 and "没有编号为 nobody 的人员" in unknown.stderr
    fresh = HazardLedger(store_env, clock=lambda: TODAY)
    try:
        assert fresh.load(Hazard, hazard).responsible_person == ERASED
        fresh.audit_chain().extend_all()
    finally:
        fresh.close()
    verified = subprocess.run([HAZARD, "audit", "verify", "--json"], env=env, capture_output=True, text=True,
                              timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["ok"] is True


def test_a_view_being_rebuilt_elsewhere_answers_503_and_the_retry_finishes(api, auth, ledger, store_env):
    from projections.locks import ViewLock

    hazard, position = _hazard(ledger, "王五", "13700003333")
    bureau = auth("bureau")
    [person] = api.get(f"{API}/persons", params={"name": "王五"}, headers=bureau).json()
    lock = ViewLock(store_env, "ledger", "rebuild")
    assert lock.acquire()
    try:
        busy = api.post(f"{API}/persons/{person['person_id']}/erasure", json={"reason": "本人申请"}, headers=bureau)
    finally:
        lock.release()
    assert busy.status_code == 503 and busy.json()["retry"] is True
    assert ledger.load(Hazard, hazard).responsible_person == ERASED  # erased and shredded already
    again = api.post(f"{API}/persons/{person['person_id']}/erasure", json={"reason": "本人申请"}, headers=bureau)
    assert again.status_code == 201 and again.json()["id"] == busy.json()["id"]
    table = api.get(f"{API}/ledger", params={"after": again.json()["position"], "format": "csv"},
                    headers=bureau).content.decode("utf-8-sig")
    assert "王五" not in table and ERASED in table
