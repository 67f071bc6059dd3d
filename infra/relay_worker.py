"""Reading and encoding the log in a process of its own (编码进程), beside the relay's publishing.

Reading a page of the log, decoding its events, placing and encoding them costs about twice
what publishing them costs, in Python, under one interpreter lock. So the relay does it in a
child process (`python -m infra.relay_worker`, a fresh interpreter that imports nothing of the
program that runs the relay) with a reader of its own on the same store (`LogReader.open` on
the relay's reader's settings), and only publishes, confirms and tracks in its own. They talk
over two pipes (`multiprocessing.connection`, pickled). The child keeps a cursor in the
log and answers each request with the next batch:

    relay → child   ("init", settings, prefix, batch size)   first
                    ("places", [(aggregate id bytes, township, sector), …])
                                                     places the relay's thread already found
                    ("seek", position, generation)   read on after `position`
                    ("next",)                        the next batch
                    ("stop",)
    child → relay   ("ready",)                       once, when it can answer
                    (generation, (positions, subjects, bodies), last position read or None,
                     bad events, failure)

`generation` tells the answers to an earlier seek (after a restart) from the current ones. The
child never logs a bad event itself: it sends it back, and the relay reports it (once). Until
the child is ready the relay encodes in a thread of its own (`LocalSource`, the same answers);
when the child takes over, it is handed the places of the aggregates that thread met
(`Locator.known`), so it does not load them again one by one through the repository (at scale
0.1 that was about 340 aggregates, 0.2 s).
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Notification

from infra.envelope import Outgoing
from infra.log_reader import LogReader
from infra.placement import TRANSIENT
from infra.relay_encoder import Bad, Encoder

log = logging.getLogger("infra.relay")


class WorkerFailed(RuntimeError):
    """The encoding process could not read or encode a batch, or is gone."""


@dataclass
class Prepared:
    """One batch as the child encoded it; `last` is None when the log had nothing new."""

    messages: list[Outgoing]
    last: int | None
    bad: list[Bad] = field(default_factory=list)


class EncodingWorker:
    """The relay's side of the child process. `take` waits (asyncio) for the next batch of the
    current generation; `more` asks for one more; `seek` starts over from a position."""

    def __init__(self, env: Mapping[str, str], prefix: str, batch_size: int) -> None:
        self._env = {**env, "POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "0",  # reads and lookups take turns
                     "CREATE_TABLE": "no"}  # the relay's own reader made them
        self._prefix, self._batch_size = prefix, batch_size
        self._process: Any = None
        self._conn: Any = None
        self._answers_conn: Any = None
        self._generation = 0
        self.outstanding = 0  # requests sent and not yet answered (current generation)
        self._answers: asyncio.Queue | None = None
        self._send_lock = threading.Lock()
        self.ready = threading.Event()  # the process has started and is ready to answer

    def start(self) -> None:
        """(Again, if it died.) Its answers go to the running loop."""
        if self._process is not None and self._process.poll() is None:
            return
        self.close()
        self.ready = threading.Event()
        requests_in, requests_out = os.pipe()
        answers_in, answers_out = os.pipe()
        root = str(Path(__file__).resolve().parents[1])
        path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "infra.relay_worker", str(requests_in), str(answers_out)],
                pass_fds=(requests_in, answers_out), cwd=root, stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": path})
        finally:
            os.close(requests_in)
            os.close(answers_out)
        self._conn = Connection(requests_out, readable=False)
        answers = Connection(answers_in, writable=False)
        self._send(("init", dict(self._env), self._prefix, self._batch_size))
        loop, queue = asyncio.get_running_loop(), asyncio.Queue()
        self._answers, self._answers_conn = queue, answers
        threading.Thread(target=_receive, args=(answers, loop, queue, self.ready),
                         name="relay-encoder-answers", daemon=True).start()

    @property
    def pid(self) -> int | None:
        """The encoding process's id while it runs."""
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    def seek(self, position: int, ahead: int) -> None:
        """Read on after `position`, with `ahead` requests on their way at once."""
        self._generation += 1
        self.outstanding = 0
        self._send(("seek", position, self._generation))
        for _ in range(ahead):
            self.more()

    def teach(self, known: list) -> None:
        """Hand the child places found elsewhere (`Locator.known`), before its next seek."""
        if known:
            self._send(("places", known))

    def more(self) -> None:
        self._send(("next",))
        self.outstanding += 1

    async def take(self) -> Prepared:
        """The next answer of the current generation (earlier ones are dropped)."""
        assert self._answers is not None
        while True:
            answer = await self._answers.get()
            if answer is None:
                raise WorkerFailed(f"the encoding process is gone (exit code {self._exit_code()})")
            generation, messages, last, bad, failure = answer
            if generation != self._generation:
                continue
            self.outstanding -= 1
            if failure is not None:
                kind, text, transient = failure
                raise (WorkerFailed if not transient else _Transient)(f"{kind}: {text}")
            return Prepared(list(map(Outgoing, *messages)), last, bad)

    def close(self) -> None:
        if self._process is None:
            return
        try:
            self._send(("stop",))
        except WorkerFailed:
            pass
        try:
            self._process.wait(3)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(3)
        self._conn.close()
        self._answers_conn.close()
        self._process = None

    def _send(self, request: tuple) -> None:
        try:
            with self._send_lock:
                self._conn.send(request)
        except (OSError, ValueError) as e:
            raise WorkerFailed(f"the encoding process is gone ({e!r})") from e

    def _exit_code(self) -> Any:
        return self._process.poll() if self._process is not None else None


class LocalSource:
    """The encoding process's answers, computed in a thread of the relay itself — while that
    process starts (its interpreter takes a few tenths of a second to import what it needs),
    or if it cannot."""

    def __init__(self, reader: LogReader, prefix: str, batch_size: int) -> None:
        self._reader, self._prefix, self._batch_size = reader, prefix, batch_size
        self._encoder: Encoder | None = None
        self._after = 0
        self.outstanding = 0

    def seek(self, position: int, ahead: int) -> None:
        self._after, self.outstanding = position, ahead

    def known(self) -> list:
        """The places this source's encoder found (for the encoding process: `teach`)."""
        return self._encoder.locator.known() if self._encoder is not None else []

    def more(self) -> None:
        self.outstanding += 1

    async def take(self) -> Prepared:
        self.outstanding -= 1
        return await asyncio.to_thread(self._next)

    def _next(self) -> Prepared:
        if self._encoder is None:
            self._encoder = Encoder(self._reader, self._prefix)
        batch = self._reader.notifications(self._after, self._batch_size)
        messages, bad = self._encoder.messages(batch)
        last = batch[-1].id if batch else None
        self._after = last or self._after
        return Prepared(messages, last, bad)


class _Transient(WorkerFailed, ConnectionError):
    """The database failed the child (it is retried like any other failure of the database)."""


def _receive(conn: Any, loop: asyncio.AbstractEventLoop, answers: asyncio.Queue,
             ready: threading.Event) -> None:
    """The child's answers into the relay's loop; None when the child is gone."""
    while True:
        try:
            answer = conn.recv()
        except (EOFError, OSError):
            answer = None
        if answer == ("ready",):
            ready.set()
            continue
        try:
            loop.call_soon_threadsafe(answers.put_nowait, answer)
        except RuntimeError:
            return  # the loop is closed
        if answer is None:
            return


def serve(requests: Any, answers: Any) -> None:
    """The child process: answer requests until "stop" or until the relay is gone."""
    _, env, prefix, batch_size = requests.recv()
    reader = LogReader.open(env)
    encoder = Encoder(reader, prefix)
    reader.page(reader.head() - 50)  # import the domain's modules now, not at the first request
    answers.send(("ready",))
    pages = Pages(reader, batch_size)
    generation = 0
    try:
        while True:
            try:
                request = requests.recv()
            except (EOFError, OSError):
                return
            if request[0] == "stop":
                return
            if request[0] == "places":
                encoder.locator.learn(request[1])
                continue
            if request[0] == "seek":
                _, after, generation = request
                pages.seek(after)
                continue
            try:
                batch = pages.next()
                messages, bad = encoder.messages(batch)
            except Exception as e:  # noqa: BLE001 - the relay decides; this process goes on
                pages.seek(pages.after)
                answers.send((generation, ([], [], []), None, [],
                              (type(e).__name__, str(e), isinstance(e, TRANSIENT))))
                continue
            columns = ([m.position for m in messages], [m.subject for m in messages],
                       [m.body for m in messages])  # three lists pickle fastest
            answers.send((generation, columns, batch[-1].id if batch else None, bad, None))
    finally:
        pages.close()
        reader.close()


class Pages:
    """The log page after page from a cursor; while one page is encoded the next full one is
    already being read (a thread: the database's time overlaps the encoding's)."""

    def __init__(self, reader: LogReader, size: int) -> None:
        self._reader, self._size = reader, size
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="relay-read-ahead")
        self.after = 0
        self._ahead: Future | None = None  # the page after `after`, being read

    def seek(self, after: int) -> None:
        self.after, self._ahead = after, None

    def next(self) -> Sequence[Notification]:
        ahead, self._ahead = self._ahead, None
        page = ahead.result() if ahead is not None else ()
        if not page:  # none read ahead, or read when there was nothing yet: read now
            page = self._reader.notifications(self.after, self._size)
        if page:
            self.after = page[-1].id
        if len(page) == self._size:  # behind the log: the next page is surely wanted
            self._ahead = self._pool.submit(self._reader.notifications, self.after, self._size)
        return page

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


if __name__ == "__main__":
    try:
        serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
    except (KeyboardInterrupt, BrokenPipeError):
        pass
