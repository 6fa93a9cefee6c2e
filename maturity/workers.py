"""Worker processes for a batch: each loads the pack once and keeps its own engine (a compiled
pack lives in one process's C engine and cannot be sent to another). A worker that dies (a
crash in the C engine) or takes longer than the timeout on one organisation costs only that
organisation: the worker is replaced, the organisation is tried once more alone in the fresh
worker, and if that fails too it becomes an error record with the reason. The batch goes on.

multiprocessing is imported only here, and this module only by `dots batch`."""

from __future__ import annotations

import collections
import multiprocessing
import signal
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterable, Iterator

from .batch import Record, Task
from .errors import EngineError

CHUNK = 32          # tasks sent to a worker at a time (results come back one by one)


def _worker_main(rules: str | None, conn: Connection) -> None:
    """A worker: load the pack, make an engine, then assess the tasks it is sent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    from .batch import assess_task
    from .engine import Engine
    from .pack import load_pack
    try:
        model = load_pack(rules)
        engine = Engine()
    except Exception as exc:  # the parent loaded the same pack; say what went wrong here
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            chunk = conn.recv()
        except EOFError:  # the parent is gone
            return
        if chunk is None:
            return
        for task in chunk:
            conn.send(assess_task(model, engine, task))


@dataclass
class _Worker:
    process: multiprocessing.Process
    conn: Connection
    ready: bool = False
    fresh: bool = True                        # has not been sent any task yet
    started: float = 0.0                      # when it was started, or last made progress
    chunk: collections.deque = field(default_factory=collections.deque)


@dataclass
class PoolStats:
    workers: int = 0
    restarts: int = 0
    pids: list[int] = field(default_factory=list)


def _signal_name(code: int | None) -> str:
    if code is None:
        return "it stopped"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def run_pool(rules: str | None, tasks: Iterable[Task], workers: int, timeout: float | None,
             on_record: Callable[[Record], None], stats: PoolStats | None = None) -> None:
    """Assess every task in `workers` processes, calling `on_record` (in this process) for each
    result as it arrives, in no particular order."""
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no engine state inherited
    stats = stats if stats is not None else PoolStats()
    stats.workers = workers
    source: Iterator[Task] = iter(tasks)
    retry: collections.deque[Task] = collections.deque()    # tried once, to run alone in a fresh worker
    again: collections.deque[Task] = collections.deque()    # sent to a worker that died before them
    pool: list[_Worker] = []

    def start() -> _Worker:
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_worker_main, args=(rules, child), daemon=True)
        process.start()
        child.close()
        w = _Worker(process, parent, started=time.monotonic())
        stats.pids = [x.process.pid for x in pool if x.process.pid] + [process.pid]
        return w

    def next_chunk(w: _Worker) -> list[Task]:
        if retry and w.fresh:
            return [retry.popleft()]          # alone in a fresh worker, so its fate is its own
        chunk = []
        while again and len(chunk) < CHUNK:
            chunk.append(again.popleft())
        for task in source:
            chunk.append(task)
            if len(chunk) >= CHUNK:
                break
        return chunk

    def feed(w: _Worker) -> None:
        chunk = next_chunk(w)
        if chunk:
            w.fresh = False
            w.chunk.extend(chunk)
            w.started = time.monotonic()
            w.conn.send(chunk)

    def lost(w: _Worker, reason: str) -> None:
        """`w` died or was killed with tasks outstanding: the first was the one it was on."""
        pool.remove(w)
        w.conn.close()
        w.process.join(1)
        stats.restarts += 1
        if w.chunk:
            task = w.chunk.popleft()
            again.extendleft(reversed(w.chunk))
            if task.attempt == 1:
                retry.append(Task(task.key, task.source, task.row, task.kind, task.organisation,
                                  task.error, attempt=2))
            else:
                on_record(Record(task.key, task.source, task.row,
                                 name=task.organisation.name if task.organisation else "",
                                 org_id=task.organisation.id if task.organisation else "",
                                 error_kind="timeout" if "longer" in reason else "crash",
                                 error=f"error: {task.source}{f':{task.row}' if task.row else ''}: "
                                       f"the worker assessing it {reason}, twice (the second time "
                                       "alone in a fresh worker)", attempts=2))
        pool.append(start())

    try:
        for _ in range(max(1, workers)):
            pool.append(start())
        while True:
            busy = [w for w in pool if w.chunk or not w.ready]
            if not busy:
                break
            waits = {w.conn: w for w in busy}
            waits.update({w.process.sentinel: w for w in busy})
            now = time.monotonic()
            deadlines = [w.started + timeout - now for w in busy if w.ready] if timeout else []
            limit = max(0.0, min(deadlines)) + 0.01 if deadlines else 1.0
            for ready in wait(list(waits), limit):
                w = waits[ready]
                if w not in pool:
                    continue
                if ready is w.conn:
                    try:
                        while w.conn.poll():
                            message = w.conn.recv()
                            if isinstance(message, Record):
                                w.chunk.popleft()
                                w.started = time.monotonic()
                                on_record(message)
                            elif message[0] == "ready":
                                w.ready = True
                                w.started = time.monotonic()
                            else:
                                raise EngineError(f"a worker could not start: {message[1]}")
                    except (EOFError, OSError):
                        pass  # it died: its sentinel says so
                    if w.ready and not w.chunk and w in pool:
                        feed(w)
                elif not w.process.is_alive() or w.process.exitcode is not None:
                    if not w.ready:
                        raise EngineError(f"a worker process could not start "
                                          f"({_signal_name(w.process.exitcode)})")
                    lost(w, _signal_name(w.process.exitcode))
            if timeout:
                now = time.monotonic()
                for w in list(pool):
                    if w.ready and w.chunk and now - w.started > timeout:
                        w.process.kill()
                        w.process.join()
                        lost(w, f"took longer than {timeout:g} s")
    finally:
        for w in pool:
            try:
                w.conn.send(None)
            except (OSError, ValueError):
                pass
        for w in pool:
            w.process.join(2)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()
