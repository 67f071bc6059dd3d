"""Live events for the dashboard: server-sent events (SSE) that follow the store's notification log.

    GET /api/v1/events/stream            (route name `events.stream`)
        Accept: text/event-stream        ← a browser's EventSource always sends it
        Authorization: Bearer <token>    ← or ?token=<token>, for this route only

The stream follows the one notification log (通知日志) of the event store: every
`POLL_SECONDS` it reads what was stored after the last position through the one reader of
the log (`ledger.log_reader`, infra/log_reader.py: pages, decoded and named), finds where it happened with the relay's placement logic (`infra.placement.Locator`: township
and sector) and which enterprise and agency it belongs to, and sends only the events inside the
token's read scope (`services.access.read_scope`: township / sector / enterprise / agency, the
same equality rule as the ledger's rows). County-wide roles see every event.

Wire format (https://html.spec.whatwg.org/multipage/server-sent-events.html):

    retry: 3000                                    reconnect after 3 s
    event: ready      data: {"position": P, "head": H}      where the stream starts
    id: 42            data: {…the relay's message body (infra/envelope.py)…, "label": "隐患上报"}
    id: 57                                         (no data) position moved past events out of scope
    event: reset      data: {"position": P}        events were skipped (see BACKLOG); reload the page's data
    event: end        data: {"position": P}        (once mode) the backlog is sent, the stream closes
    : keepalive                                     every KEEPALIVE_SECONDS while nothing happens

Where it starts: the `Last-Event-ID` header (a reconnecting EventSource), else `?after=`,
else the head of the log (only events stored from now on). A start more than `BACKLOG` events
behind the head is moved up to the head minus `BACKLOG`, and `reset` says so.

Bad positions (issue 10): `?after=` outside 0..2^63−1 or beyond the head is 422 naming `after`
(the head in the message), before the stream starts. A `Last-Event-ID` that is not a position
within 0..head (EventSource resends whatever it last received and would give up for good on an
error answer) starts the stream at the head with `reset`, so the page reloads its data.

When it ends:
- a client that does not accept `text/event-stream`, or asks `?once=1`, gets the backlog up to the
  head as it stood when it asked, then `end` (tests, scripts, curl without the header);
- a live stream closes after `LIFETIME_SECONDS` (EventSource reconnects by itself with
  `Last-Event-ID`, and the token is verified again — so a revoked or expired token stops within
  that time), or as soon as the server reports that the client went away (Starlette's
  `StreamingResponse` listens for `http.disconnect`).

Why `?token=`: EventSource cannot send headers. The token is verified exactly as
`services/api/deps.py: principal` verifies a bearer header (signature, expiry, key id,
revocation). A token in a URL can end up in access logs and browser history: use it only for
this route, over TLS in production, and prefer short-lived tokens for dashboards. `hazard
serve` masks it (and personal data) in the access log: `services/api/log_masking.py`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from domain.errors import InvalidValue
from infra.auth import Principal
from infra.envelope import envelope
from infra.log_reader import Logged, LogReader, names_of
from infra.placement import TRANSIENT, Locator, Place
from services.access import Scope, check_role, read_scope
from services.api import deps
from services.presenters import event_label

log = logging.getLogger("hazard.events")

router = APIRouter(tags=["events"])

POLL_SECONDS = 0.5        # how often a live stream looks for new events
PAGE = 500                # notifications read at a time
BACKLOG = 10_000          # the most a stream replays behind the head
KEEPALIVE_SECONDS = 15.0  # a comment line, so proxies and the client know the stream is alive
LIFETIME_SECONDS = 300.0  # then the stream closes; EventSource reconnects and is verified again
RETRY_MS = 3000


# --- who is asking ------------------------------------------------------------------------------
def holder(request: Request, token: str | None = Query(
        None, max_length=4096, description="令牌（仅本接口：EventSource 不能设置请求头）")) -> Principal:
    """The verified holder: the bearer header as everywhere, else `?token=` verified the same way."""
    if request.headers.get("authorization") or not token:
        return deps.holder(request.scope)
    headers = [(k, v) for k, v in request.scope["headers"] if k != b"authorization"]
    headers.append((b"authorization", b"Bearer " + token.strip().encode("latin-1", "replace")))
    return deps.holder({**request.scope, "headers": headers})


# --- where an event belongs ----------------------------------------------------------------------
@dataclass(frozen=True)
class Whereabouts:
    """What the scope check compares with the token: the read scope's four columns."""

    township: str | None
    sector: str | None
    enterprise_id: str | None
    agency_id: str | None

    def within(self, scope: Scope) -> bool:
        return all(getattr(self, column) == wanted for column, wanted in scope.as_filters().items())


class Parties:
    """Enterprise and agency per aggregate id, remembered (bounded, least recently used first out).

    An enterprise is its own enterprise, an agency its own agency; hazards, inspections,
    contracts, agreements and accidents name theirs on their creation event (`enterprise_id`,
    `agency_id` — for a hazard, the agency whose inspection found it, as in the ledger). On a
    miss for a later event the aggregate is loaded through the application's repository."""

    def __init__(self, repository: Any, capacity: int = 200_000) -> None:
        self._repository = repository
        self._capacity = capacity
        self._known: OrderedDict[UUID, tuple[str | None, str | None]] = OrderedDict()
        self._lock = threading.RLock()

    def of(self, event: Any) -> tuple[str | None, str | None]:
        ident = event.originator_id
        with self._lock:
            known = self._known.get(ident)
            if known is not None:
                self._known.move_to_end(ident)
                return known
        if event.originator_version == 1:
            known = self._read(event, names_of(type(event))[0], ident)
        else:
            known = self._load(ident)
        with self._lock:
            self._known[ident] = known
            if len(self._known) > self._capacity:
                self._known.popitem(last=False)
        return known

    @staticmethod
    def _read(obj: Any, kind: str, ident: UUID) -> tuple[str | None, str | None]:
        enterprise = str(ident) if kind == "Enterprise" else _text(getattr(obj, "enterprise_id", None))
        agency = str(ident) if kind == "Agency" else _text(getattr(obj, "agency_id", None))
        return enterprise, agency

    def _load(self, ident: UUID) -> tuple[str | None, str | None]:
        try:
            aggregate = self._repository.get(ident)
        except TRANSIENT:
            raise
        except AggregateNotFoundError:
            return None, None
        except Exception as e:  # noqa: BLE001 - an undecodable history must not stop the stream
            log.warning("events: aggregate %s cannot be loaded (%s); no enterprise/agency", ident, e)
            return None, None
        return self._read(aggregate, type(aggregate).__name__, ident)


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str | UUID) and value else None


class Feed:
    """Decoding and placing events for every stream of one application (shared caches)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.reader: LogReader = app.log_reader
        self.locator = Locator(app.repository)
        self.parties = Parties(app.repository)

    @classmethod
    def of(cls, request: Request) -> Feed:
        state = request.app.state
        feed = getattr(state, "event_feed", None)
        if feed is None or feed.app is not state.ledger:
            feed = state.event_feed = cls(state.ledger)
        return feed

    def head(self) -> int:
        return self.reader.head()

    def read(self, after: int, scope: Scope, stop: int | None = None) -> tuple[int, list[tuple[int, bytes]]]:
        """(last position read, [(position, message body)] of the events in scope) after `after`."""
        page = self.reader.page(after, PAGE, stop)
        out = []
        for logged in page:
            body = self._message(logged, scope)
            if body is not None:
                out.append((logged.position, body))
        return (page[-1].position if page else after), out

    def _message(self, logged: Logged, scope: Scope) -> bytes | None:
        try:
            if logged.error is not None:
                raise logged.error
            event = logged.event
            place = self.locator.place_of(event)
            enterprise, agency = self.parties.of(event)
        except TRANSIENT:
            raise  # the database, not the event: the stream ends and the client reconnects
        except Exception as e:  # noqa: BLE001 - a bad event is skipped, as the relay does
            log.error("events: event at position %d (topic %r) cannot be decoded: %r",
                      logged.position, logged.notification.topic, e)
            return None
        if not Whereabouts(place.township, place.sector, enterprise, agency).within(scope):
            return None
        return _body(logged, place, enterprise, agency)


def _body(logged: Logged, place: Place, enterprise: str | None, agency: str | None) -> bytes:
    message = orjson.loads(envelope(logged.event, logged.position, place, (logged.aggregate, logged.name)))
    message["label"] = event_label(logged.aggregate, logged.name)
    message["enterprise_id"] = enterprise
    message["agency_id"] = agency
    return orjson.dumps(message)


# --- the stream ------------------------------------------------------------------------------------
def _sse(data: bytes | None = None, *, event: str | None = None, ident: int | None = None) -> bytes:
    lines = []
    if event:
        lines.append(b"event: " + event.encode())
    if ident is not None:
        lines.append(b"id: " + str(ident).encode())
    if data is not None:
        lines.append(b"data: " + data)  # orjson never writes a newline
    return b"\n".join(lines) + b"\n\n"


MAX_POSITION = 2**63 - 1  # PostgreSQL's bigint: no notification id is larger


@dataclass(frozen=True)
class Start:
    """Where a stream starts (None: at the head) and whether to say `reset` first."""

    position: int | None
    reset: bool = False


def _start(last_event_id: str | None, after: int | None, head: int) -> Start:
    """Last-Event-ID (a position within 0..head, else the head with `reset`), else `after`
    (beyond the head: 422 naming it), else the head."""
    if last_event_id is not None and last_event_id.strip():
        text = last_event_id.strip()
        if text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= head:
            return Start(int(text))
        return Start(head, reset=True)
    if after is not None and after > head:
        raise InvalidValue("after", f"位置 {after} 尚未写入（库中最大位置为 {head}）")
    return Start(after)


class Streams:
    """How many streams this process is sending now (for tests and operators)."""

    open = 0


async def _stream(feed: Feed, scope: Scope, start: Start, head: int,
                  once: bool) -> AsyncIterator[bytes]:
    Streams.open += 1
    try:
        async for chunk in _messages(feed, scope, start, head, once):
            yield chunk
    finally:  # also when the client goes away: Starlette cancels the response
        Streams.open -= 1


async def _messages(feed: Feed, scope: Scope, start: Start, head: int,
                    once: bool) -> AsyncIterator[bytes]:
    position = head if start.position is None else start.position
    yield b"retry: " + str(RETRY_MS).encode() + b"\n\n"
    yield _sse(orjson.dumps({"position": position, "head": head}), event="ready")
    if start.reset:
        yield _sse(orjson.dumps({"position": position}), event="reset", ident=position)
    elif position < head - BACKLOG:
        position = head - BACKLOG
        yield _sse(orjson.dumps({"position": position}), event="reset", ident=position)
    closes_at = time.monotonic() + LIFETIME_SECONDS
    quiet_since = time.monotonic()
    while True:
        reached, messages = await run_in_threadpool(feed.read, position, scope, head if once else None)
        for ident, body in messages:
            yield _sse(body, ident=ident)
        if reached > position:
            if not messages or messages[-1][0] != reached:
                yield _sse(ident=reached)  # moves Last-Event-ID past events out of scope
            position, quiet_since = reached, time.monotonic()
            continue  # there may be more right away
        if once:
            yield _sse(orjson.dumps({"position": position}), event="end")
            return
        if time.monotonic() >= closes_at:
            return  # the client reconnects (Last-Event-ID) and its token is verified again
        if time.monotonic() - quiet_since >= KEEPALIVE_SECONDS:
            yield b": keepalive\n\n"
            quiet_since = time.monotonic()
        await asyncio.sleep(POLL_SECONDS)


@router.get("/events/stream", name="events.stream", summary="实时事件流（SSE）：令牌范围内新存储的事件",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "server-sent events; see services/api/routes/events.py"}})
async def stream(request: Request,
                 after: int | None = Query(None, ge=0, le=MAX_POSITION,
                                           description="从该位置之后开始（默认：当前最新位置；超出最新位置为 422）"),
                 once: bool = Query(False, description="只发送到当前最新位置为止的事件，然后结束（测试、脚本）"),
                 last_event_id: str | None = Header(None, max_length=200, include_in_schema=False),
                 who: Principal = Depends(holder)) -> StreamingResponse:
    check_role(who, "events.stream")
    live = not once and "text/event-stream" in request.headers.get("accept", "")
    feed = Feed.of(request)
    head = await run_in_threadpool(feed.head)
    return StreamingResponse(
        _stream(feed, read_scope(who), _start(last_event_id, after, head), head, once=not live),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
