"""Reads that wait for their writes (`?after=`) hold no worker thread (issue 10 §6): while more
of them wait than the request thread pool has threads (40), a plain read is still answered;
when the views catch up, every waiting read answers with the write in it."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx

from domain.actor import Role
from projections.operations import catch_up
from projections.readmodels import ReadModels
from services.api.app import create_app
from tests.conftest import actor, credit_code, one_at_a_time
from tests.e2e.dashboard_conftest import served

WAITING = 60  # more than anyio's 40 worker threads


def test_a_plain_read_is_answered_while_many_reads_wait_for_lagging_views(ledger, tokens, store_env):
    bureau = actor(Role.BUREAU)
    firm = ledger.register_enterprise(bureau, credit_code=credit_code(), name="某五金厂", township="330226001",
                                      sector="trade", scale="small_micro")
    written = ledger.report_hazard(bureau, enterprise_id=firm.id, source="public_tip",
                                   category="unsafe_condition", description="配电箱未接地", level="general",
                                   discovered_on=ledger.today())
    read_models = ReadModels.beside(ledger)  # no runner follows the log: the views lag
    read_models.wait_seconds = 120
    headers = {"Authorization": "Bearer " + tokens.issue(role="bureau", name="县应急管理局")}
    answers: list[httpx.Response] = []

    async def wait_all(url: str) -> None:
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120,
                                     limits=httpx.Limits(max_connections=WAITING + 5)) as client:
            answers.extend(await asyncio.gather(*(
                client.get("/api/v1/ledger", params={"after": written.position}) for _ in range(WAITING))))

    try:
        with served(create_app(ledger, tokens, read_models=read_models)) as url:
            waiters = threading.Thread(target=asyncio.run, args=(wait_all(url),), daemon=True)
            waiters.start()
            deadline = time.monotonic() + 30
            while read_models.watch.waiting < WAITING:
                assert time.monotonic() < deadline, f"only {read_models.watch.waiting} reads are waiting"
                time.sleep(0.05)
            plain = httpx.get(f"{url}/api/v1/hazards/{written.id}", headers=headers, timeout=30)
            assert plain.status_code == 200 and plain.json()["id"] == written.id
            assert read_models.watch.waiting == WAITING and not answers  # they are still waiting
            catch_up(one_at_a_time(store_env))
            waiters.join(60)
    finally:
        read_models.close()
    assert len(answers) == WAITING
    assert all(a.status_code == 200 and a.json()["total"] == 1 for a in answers)
