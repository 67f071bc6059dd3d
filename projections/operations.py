"""Operating the views: run them beside the API, catch up, rebuild from zero with progress.

- `following(env)`: a context manager for `hazard serve`'s followers process — one supervised
  runner per view (restarted if it stops on an error); `running_projections(env)` is the same
  yielding the `ReadModels` to read beside them (tests, one process);
- `catch_up(env)`: follow the log until every view has applied the store's last event;
- `rebuild(env, names)`: forget a view (its rows and tracking, in one transaction) and
  catch up from position 0.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from projections import runners
from projections.locks import ViewLock
from projections.readmodels import ReadModels

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


def take_locks(env: Mapping[str, str], names: list[str], wait: float = 0.0) -> dict[str, ViewLock]:
    held = {}
    for name in names:
        lock = ViewLock(env, name)
        if lock.acquire(wait):
            held[name] = lock
    return held


@contextmanager
def following(env: Mapping[str, str], names: list[str] | None = None) -> Iterator[None]:
    """Run the projections in this process (threads) while the block runs — each view not
    followed by another process already (`hazard serve`'s followers process)."""
    chosen = runners.names(names)
    locks = take_locks(env, chosen)
    for name in set(chosen) - set(locks):
        log.warning("view %s is followed by another process; not running it here", name)
    supervisor = Supervisor(env, [n for n in chosen if n in locks]).start()
    try:
        yield
    finally:
        supervisor.stop()
        for lock in locks.values():
            lock.release()


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


def _follow_until(env: Mapping[str, str], names: list[str], target: int,
                  progress: Progress | None, read_models: ReadModels) -> dict[str, int]:
    started = time.monotonic()
    running = {name: runners.start(name, env) for name in names}
    try:
        while True:
            positions = {n: read_models.views[n].position() for n in names}
            if progress:
                progress(positions, target, time.monotonic() - started)
            if all(p >= target for p in positions.values()):
                return positions
            for name, runner in running.items():
                if runner.is_interrupted.is_set():
                    raise RuntimeError(f"view {name} stopped: {runners.stop(runner)}")
            time.sleep(0.05)
    finally:
        for runner in running.values():
            runners.stop(runner)


def catch_up(env: Mapping[str, str], names: list[str] | None = None, *,
             progress: Progress | None = None, rebuild: bool = False,
             wait_for_lock: float = 0.0) -> dict[str, int]:
    """Apply every stored event to the views (after forgetting them, to rebuild).

    A view another process follows (e.g. `hazard serve`) is left to it when catching up,
    and refused when rebuilding.
    """
    chosen = runners.names(names)
    read_models = ReadModels(env)
    locks = take_locks(env, chosen, wait_for_lock)
    try:
        busy = [n for n in chosen if n not in locks]
        if busy and rebuild:
            raise RuntimeError(f"view {', '.join(busy)} is followed by another process "
                               "(hazard serve?); stop it before rebuilding")
        mine = [n for n in chosen if n in locks]
        if rebuild:
            for name in mine:
                read_models.views[name].truncate()
        return _follow_until(env, mine, read_models.max_position(), progress, read_models)
    finally:
        for lock in locks.values():
            lock.release()
        read_models.close()


def rebuild(env: Mapping[str, str], names: list[str] | None = None, *,
            progress: Progress | None = None) -> dict[str, int]:
    return catch_up(env, names, progress=progress, rebuild=True)
