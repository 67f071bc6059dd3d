"""The auditor's export (审计导出): one enterprise's complete history in one JSON document.

Every stored event of the enterprise's own aggregates — the enterprise, its service
contracts, inspections, hazards and accidents, found via the views — in the store's order,
each with its position, type, record time (Asia/Shanghai), actor, data, and what ties it to
the audit hash chain (`infra/audit_chain.py`):
- `stored_state_b64`: the stored bytes exactly (base64), from which `digest` is recomputed:
  digest = SHA-256(originator id, version, topic, stored state) — `event_digest`;
- `chain_before`: the chain hash at the previous stored position (genesis: 32 zero bytes);
- `chain`: the chain hash at this position = SHA-256(chain_before ‖ position ‖ digest).
`hazard audit verify` recomputes the whole chain from the stored log; every `chain` in
the file must equal the chain it recomputes at that position (`check_against_store`), and
`check_offline` rechecks the file by itself. Procurement agreements and agencies serve many
enterprises and are not part of one enterprise's history (their ids appear in its events).
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import orjson
from psycopg.sql import SQL, Identifier

from infra.audit_chain import GENESIS, AuditChain, event_digest, link
from infra.log_reader import event_data, names_of_topic
from infra.clock import local
from infra.transcoder import OrjsonTranscoder, Sealed
from projections.labels import event_label
from projections.queries.records import KINDS, Recorded, enterprise_events
from projections.readmodels import ReadModels

FORMAT = "hazardledger-audit-export/1"


def _links(store: Any, positions: list[int]) -> dict[int, dict[str, bytes | None]]:
    """The chain table's digest, chain and previous chain at each position."""
    datastore = store.recorder.datastore
    table = Identifier(datastore.schema, AuditChain.TABLE)
    query = SQL("SELECT c.position, c.digest, c.chain, (SELECT p.chain FROM {t} p WHERE "
                "p.position < c.position ORDER BY p.position DESC LIMIT 1) AS before "
                "FROM {t} c WHERE c.position = ANY(%s)").format(t=table)
    with datastore.transaction(commit=False) as curs:
        curs.execute(query, (positions,))
        return {r["position"]: r for r in curs.fetchall()}


def _entry(r: Recorded, kind: str, chained: dict | None) -> dict[str, Any]:
    e = r.event
    before = bytes(chained["before"]) if chained and chained["before"] is not None else GENESIS
    return {
        "position": r.position, "aggregate": kind, "originator_id": r.originator_id,
        "version": r.version, "type": r.name, "label": event_label(*names_of_topic(r.topic)), "topic": r.topic,
        "recorded_at": local(e.timestamp), "actor": getattr(e, "actor", None),
        "data": event_data(e),
        "stored_state_b64": base64.b64encode(r.state).decode(),
        "digest": bytes(chained["digest"]).hex() if chained else None,
        "chain_before": before.hex() if chained else None,
        "chain": bytes(chained["chain"]).hex() if chained else None,
    }


def export(store: Any, rm: ReadModels, enterprise_id: str, *, exported_by: str,
           now: datetime) -> dict[str, Any]:
    """The enterprise's history; the audit chain is first extended to the store's head."""
    chain = store.audit_chain()
    chain.extend_all()
    ids, records = enterprise_events(store, rm, enterprise_id)
    kind_of = {i: kind for kind in KINDS for i in ids[kind]}
    links = _links(store, [r.position for r in records])
    head = chain.head()
    events = [_entry(r, kind_of[r.originator_id], links.get(r.position)) for r in records]
    return {
        "format": FORMAT, "enterprise_id": enterprise_id, "exported_at": local(now),
        "exported_by": exported_by, "aggregates": ids, "event_count": len(events),
        "chain_head": {"position": head[0], "chain": head[1].hex()} if head else None,
        "unchained": sum(1 for e in events if e["chain"] is None),
        "events": events,
        "how_to_verify": ("每个事件：digest = SHA-256(originator_id, version, topic, stored_state) 各段前置 8 字节长度；"
                          "chain = SHA-256(chain_before ‖ position（8 字节）‖ digest)。"
                          "hazard audit verify 重算整条哈希链，其在各 position 的链值须与本文件一致。"),
    }


def _same(readable: dict[str, Any], state: bytes) -> bool | None:
    """Whether the readable `data` and `actor` say what the stored state says (None: the state
    is encrypted, so only its digest can be checked)."""
    try:
        stored = OrjsonTranscoder().decode(state)
    except (orjson.JSONDecodeError, KeyError, ValueError):
        return None
    norm = lambda v: orjson.dumps(v, default=str, option=orjson.OPT_SORT_KEYS)  # noqa: E731
    shown = {**readable["data"], "actor": readable["actor"]}
    _take_sealed(shown, stored)
    return all(k in stored and norm(v) == norm(stored[k]) for k, v in shown.items() if v is not None)


def _take_sealed(shown: dict[str, Any], stored: dict[str, Any]) -> None:
    """Personal values sealed under a person's key (issue 16 §6) cannot be compared without the
    key: the shown value stands in for them (the digest still vouches for the stored bytes)."""
    for key, value in stored.items():
        if isinstance(value, Sealed):
            stored[key] = shown.get(key)
    actor, shown_actor = stored.get("actor"), shown.get("actor")
    if isinstance(actor, dict) and isinstance(actor.get("name"), Sealed):
        actor["name"] = shown_actor.get("name") if isinstance(shown_actor, dict) else None


def check_offline(document: dict[str, Any]) -> list[str]:
    """Problems found from the file alone: each digest recomputed from the stored state, each
    chain link recomputed, and the readable data compared with the stored state."""
    problems = []
    for e in document["events"]:
        state = base64.b64decode(e["stored_state_b64"])
        digest = event_digest(e["originator_id"], e["version"], e["topic"], state)
        if e["digest"] is None:
            problems.append(f"{e['position']}: 尚未入链")
        elif digest.hex() != e["digest"]:
            problems.append(f"{e['position']}: 事件内容与摘要不符")
        elif link(bytes.fromhex(e["chain_before"]), e["position"], digest).hex() != e["chain"]:
            problems.append(f"{e['position']}: 链值与摘要不符")
        elif _same(e, state) is False:
            problems.append(f"{e['position']}: 可读数据与存储内容不符")
    return problems


def check_against_store(document: dict[str, Any], chain: AuditChain) -> list[str]:
    """Problems where the file's chain values differ from the store's chain table."""
    return [f"{e['position']}: 与库中哈希链不符" for e in document["events"]
            if e["chain"] != chain.chain_at(e["position"])]
