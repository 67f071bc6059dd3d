"""How `hazard simulate` runs a day on several threads: an enterprise's steps in planned order,
a step the day depends on after everything planned before it and before everything after."""

from __future__ import annotations

import threading

import pytest

from services.simulate_lanes import Runner, Step


def _day(log: list[tuple[int, int | None]], lock: threading.Lock) -> list[Step]:
    def step(seq: int, lane: int | None) -> Step:
        def run() -> None:
            with lock:
                log.append((seq, lane))
        return Step(seq, lane, run)

    return [step(0, None)] + [step(1 + i, i % 7) for i in range(60)] + [step(61, None)] + \
        [step(62 + i, i % 5) for i in range(40)]


@pytest.mark.parametrize("threads", [1, 4])
def test_each_enterprise_in_order_and_the_day_waits_for_its_shared_steps(threads):
    log: list[tuple[int, int | None]] = []
    with Runner(lambda s: s.run(), threads) as runner:
        finished = sum(runner.day(_day(log, threading.Lock())))
    assert finished == 102 and sorted(seq for seq, _ in log) == list(range(102))
    at = {seq: i for i, (seq, _) in enumerate(log)}
    assert at[0] == 0 and at[61] == 61  # the shared steps: alone, between what comes before and after
    for lane in range(7):
        mine = [seq for seq, x in log if x == lane]
        assert mine == sorted(mine)


def test_a_step_that_stops_the_year_is_raised_and_nothing_planned_after_it_runs():
    started: list[int] = []

    def perform(step: Step) -> None:
        started.append(step.seq)
        if step.seq == 0:
            raise RuntimeError("种子已模拟过")

    steps = [Step(i, i, lambda: None) for i in range(100)] + [Step(100, None, lambda: None)]
    with Runner(perform, 2) as runner, pytest.raises(RuntimeError):
        for _ in runner.day(steps):
            pass
    assert 0 in started and 100 not in started
