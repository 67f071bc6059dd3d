"""Operating the views: run them beside the API, catch up, rebuild from zero with progress.

- `following(env)`: a context manager for `hazard serve`'s followers process — one supervised
  runner per view (restarted if it stops on an error); `running_projections(env)` is the same
  yielding the `ReadModels` to read beside them (tests, one process);
- `catch_up(env)`: apply every stored event the views have not applied yet — the log read
  through the one reader (`infra.log_reader.LogReader`) in big batches and replayed into every
  view at once (`projections.replay.replay_views`), no runner, no LISTEN;
- `rebuild(env, names)`: forget a view (its rows and tracking, in one transaction) and
  catch up from position 0.

Both take the views' advisory locks first: a view followed by another process (`hazard serve`)
is left to it when catching up, and refused when rebuilding.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from infra.log_reader import LogReader
from projections import runners
from projections.locks import FollowerLocks
from projections.readmodels import ReadModels, open_view
from projections.replay import BATCH, replay_views

log = logging.getLogger("hazard.projections")

Progress = Callable[[dict[str, int], int, float], None]  # positions, target, elapsed seconds
RESTART_AFTER = 2.0  # seconds before a runner stopped by an error is started again


class Supervisor:
    """Keeps one runner per view going; a runner stopped by an error is restarted."""

    def __init__(self, env: Mapping[str, str], names: list[str]) -> None:
        self.env, self.names = env, names
        self.runners: dict[str, runners.ViewRunner] = {}
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="projections", daemon=True)

    def start(self) -> Supervisor:
        for name in self.names:
            self.runners[name] = runners.start(name, self.env)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stopping.wait(0.5):
            for name in self.names:
                runner = self.runners.get(name)
                if runner is not None and not runner.is_interrupted.is_set():
                    continue
                if runner is not None:
                    error = runners.stop(self.runners.pop(name))
                    log.error("view %s stopped (%s); restarting in %.0fs", name, error, RESTART_AFTER)
                if self._stopping.wait(RESTART_AFTER):
                    return
                try:
                    self.runners[name] = runners.start(name, self.env)
                except Exception as e:  # noqa: BLE001 — the store may still be down: next round
                    log.error("view %s could not restart: %s", name, e)

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        for runner in self.runners.values():
            runners.stop(runner)


def take_locks(env: Mapping[str, str], names: list[str], wait: float = 0.0) -> FollowerLocks:
    """The follower locks of `names` this process can take (on one connection)."""
    return FollowerLocks(env, names, wait)


@contextmanager
def following(env: Mapping[str, str], names: list[str] | None = None) -> Iterator[None]:
    """Run the projections in this process (threads) while the block runs — each view not
    followed by another process already (`hazard serve`'s followers process)."""
    chosen = runners.names(names)
    locks = take_locks(env, chosen)
    for name in set(chosen) - set(locks.held):
        log.warning("view %s is followed by another process; not running it here", name)
    try:
        with supervised(env, [n for n in chosen if n in locks]):
            yield
    finally:
        locks.release()


@contextmanager
def supervised(env: Mapping[str, str], names: list[str]) -> Iterator[Supervisor]:
    """The runners of `names` while the block runs, WITHOUT taking their locks: for a caller
    that holds them already (`hazard serve`'s workers: `infra.leadership`)."""
    supervisor = Supervisor(env, names).start()
    try:
        yield supervisor
    finally:
        supervisor.stop()


@contextmanager
def running_projections(env: Mapping[str, str], *, reference=None, policy=None,
                        names: list[str] | None = None) -> Iterator[ReadModels]:
    """`following`, yielding the read models for reading beside them (one process)."""
    read_models = ReadModels(env, reference=reference, policy=policy)
    try:
        with following(env, names):
            yield read_models
    finally:
        read_models.close()


def replay_env(env: Mapping[str, str]) -> dict[str, str]:
    """Settings for a replay: one connection for the reader and one for each view."""
    one = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "0"}
    for name in [*runners.PROJECTIONS, "HAZARDLEDGER"]:
        one |= {f"{name.upper()}_POSTGRES_POOL_SIZE": "1", f"{name.upper()}_POSTGRES_MAX_OVERFLOW": "0"}
    return {**env, **one}


def _replay(env: Mapping[str, str], names: list[str], progress: Progress | None, forget: bool,
            batch_size: int) -> dict[str, int]:
    """Replay the log into the views `names` (forgotten first if `forget`) up to its head now."""
    env = replay_env(env)
    views = {name: open_view(name, env) for name in names}
    reader = LogReader.open(env)
    try:
        if forget:
            for view in views.values():
                view.truncate()
        target, started = reader.head(), time.monotonic()
        after = {name: view.position() for name, view in views.items()}

        def report(positions: dict[str, int]) -> None:
            if progress is not None:
                progress(positions, target, time.monotonic() - started)

        report(after)
        return replay_views(views, reader, after=after, stop=target, batch_size=batch_size,
                            progress=report)
    finally:
        reader.close()
        for view in views.values():
            view.datastore.close()


def catch_up(env: Mapping[str, str], names: list[str] | None = None, *,
             progress: Progress | None = None, rebuild: bool = False,
             wait_for_lock: float = 0.0, batch_size: int = BATCH) -> dict[str, int]:
    """Apply every stored event to the views (after forgetting them, to rebuild); answer each
    view's position.

    A view another process follows (e.g. `hazard serve`) is left to it when catching up,
    and refused when rebuilding.
    """
    chosen = runners.names(names)
    locks = take_locks(env, chosen, wait_for_lock)
    try:
        busy = [n for n in chosen if n not in locks]
        if busy and rebuild:
            raise RuntimeError(f"view {', '.join(busy)} is followed by another process "
                               "(hazard serve?); stop it before rebuilding")
        return _replay(env, [n for n in chosen if n in locks], progress, rebuild, batch_size)
    finally:
        locks.release()


def rebuild(env: Mapping[str, str], names: list[str] | None = None, *,
            progress: Progress | None = None, batch_size: int = BATCH) -> dict[str, int]:
    """Forget the views and apply the whole log to them again (refused while another process
    follows one of them)."""
    return catch_up(env, names, progress=progress, rebuild=True, batch_size=batch_size)
