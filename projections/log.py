"""The application's notification log (通知日志) as the views read it.

`EventLog` is the same event-sourced application as `services.application.HazardLedger`
seen from the read side: same name (so the same `hazardledger_events` table) and the same
orjson transcoder, but none of the commands — projections depend on `domain` and `infra`
only, never on `services`.
"""

from __future__ import annotations

from eventsourcing.application import Application
from eventsourcing.persistence import Transcoder

from infra.transcoder import OrjsonTranscoder
from projections.views.base import APPLICATION


class EventLog(Application):
    name = APPLICATION

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()
