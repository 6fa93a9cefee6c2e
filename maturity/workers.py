"""Worker processes for a batch: each loads the pack once and keeps its own engine (a compiled
pack lives in one process's C engine and cannot be sent to another). A worker that dies (a
crash in the C engine) or takes longer than the timeout on one organisation costs only that
organisation: the worker is replaced, the organisation is tried once more alone in the fresh
worker, and if that fails too it becomes an error record with the reason. The batch goes on.

multiprocessing is imported only here, and this module only by `dots batch`."""

from __future__ import annotations

import collections
import dataclasses
import multiprocessing
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterable, Iterator

from .records import Record, Task
from .spans import Span
from .errors import EngineError

CHUNK = 64          # tasks (facts files, rows to try again) sent to a worker at a time; a
                    # survey export's rows go as spans (maturity.spans), ~200 rows each


def _worker_main(rules: str | None, mapping: str | None, resume: tuple | None, started,
                 conn: Connection) -> None:
    """A worker: load the pack (and the survey mapping) once, make an engine, then assess the
    chunks it is sent (a list of tasks, or a span of a survey export, whose rows it reads and
    hashes itself), skipping organisations already in the results (`resume`), and send back
    result rows ready to store. Before each task it counts it in `started`, shared memory the
    parent reads to know which task a worker that died or hangs was on (no message needed)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    from .records import assess_task, pack_hash, result_row
    from .engine import Engine
    from .pack import load_pack
    from .spans import Span
    try:
        model = load_pack(rules)
        engine = Engine()
        h = pack_hash(model)
        survey = None
        if mapping is not None:
            from .survey import load_mapping, span_tasks
            survey = load_mapping(mapping, model)
        done = None
        if resume is not None:
            from .results import done_check
            done = done_check(resume)
    except Exception as exc:  # the parent loaded the same files; say what went wrong here
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    count = 0
    while True:
        try:
            chunk = conn.recv()
        except EOFError:  # the parent is gone
            return
        if chunk is None:
            return
        rows, read, ok, skipped, stopping = [], 0, 0, 0, False
        kept_errors: list[tuple[str, int, str]] = []  # of those skipped, the stored data errors
        for task in span_tasks(chunk, survey) if isinstance(chunk, Span) else chunk:
            count += 1
            read += 1
            started.value = count
            kept = None if done is None else done(task.key)
            if kept is not None:
                skipped += 1
                if kept:
                    kept_errors.append((task.source, task.row or 0, kept))
                continue
            record = assess_task(model, engine, task, survey)
            rows.append(result_row(record, h, model))
            ok += record.ok
            # After durable-rules fails, the engine refuses this process any further work.
            if getattr(engine, "_poisoned", ""):
                stopping = True
                break
        conn.send(("rows", rows, read, ok, skipped, kept_errors, stopping))
        if stopping:
            return


@dataclass
class _Worker:
    process: multiprocessing.Process
    conn: Connection
    counter: object = None                    # shared: tasks it has started
    ready: bool = False
    fresh: bool = True                        # has not been sent any task yet
    started: float = 0.0                      # when it was started, or last made progress
    seen: int = 0                             # the counter when last looked at
    done: int = 0                             # tasks whose records came back
    chunk: list = field(default_factory=list)


@dataclass
class PoolStats:
    workers: int = 0
    restarts: int = 0
    pids: list[int] = field(default_factory=list)


def _start_ignoring_ctrl_c(process) -> None:
    """Start a worker with Ctrl-C ignored from its first instruction: the terminal sends SIGINT
    to every process of the job, and a worker still starting up (importing, before
    _worker_main ignores it) printed a KeyboardInterrupt traceback. An ignored signal stays
    ignored in the new program, so the parent ignores it while starting one (a Ctrl-C in those
    few milliseconds is lost; the parent handles every other)."""
    if threading.current_thread() is not threading.main_thread():
        process.start()  # signals are the main thread's; a caller elsewhere keeps its own
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process.start()
    finally:
        signal.signal(signal.SIGINT, previous)


def _signal_name(code: int | None) -> str:
    if code is None:
        return "it stopped"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


@dataclass
class Results:
    """Where run_pool puts what workers send: `rows(rows, read, ok, skipped, kept_errors)` for
    each chunk's result rows (ready to store; `kept_errors`, the source, row and message of those
    skipped that the results hold as data errors), `record(record)` for an organisation that
    failed twice."""

    rows: Callable[[list[tuple], int, int, int, list[tuple[str, int, str]]], None]
    record: Callable[[Record], None]
    tick: Callable[[], None] | None = None    # at least once a second


def run_pool(rules: str | None, work: Iterable[Task | Span], workers: int, timeout: float | None,
             results: Results, stats: PoolStats | None = None, mapping: str | None = None,
             resume: tuple | None = None, expand: Callable[[Span], list[Task]] | None = None) -> None:
    """Assess every task (and every row of every span) in `workers` processes, handing results
    to `results` in this process as they arrive, in no particular order. `expand` turns a span
    into its tasks, as a worker reads them: needed only when a worker dies during one."""
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no engine state inherited
    stats = stats if stats is not None else PoolStats()
    stats.workers = workers
    source: Iterator[Task | Span] = iter(work)
    held: list[Span] = []                                    # a span read while gathering tasks
    retry: collections.deque[Task] = collections.deque()    # tried once, to run alone in a fresh worker
    again: collections.deque[Task] = collections.deque()    # sent to a worker that died before them
    pool: list[_Worker] = []

    def start() -> _Worker:
        parent, child = ctx.Pipe()
        counter = ctx.RawValue("q", 0)
        process = ctx.Process(target=_worker_main, args=(rules, mapping, resume, counter, child),
                              daemon=True)
        _start_ignoring_ctrl_c(process)
        child.close()
        w = _Worker(process, parent, counter, started=time.monotonic())
        stats.pids = [x.process.pid for x in pool if x.process.pid] + [process.pid]
        return w

    def next_chunk(w: _Worker) -> list[Task] | Span:
        if retry and w.fresh:
            return [retry.popleft()]          # alone in a fresh worker, so its fate is its own
        chunk: list[Task] = []
        while again and len(chunk) < CHUNK:
            chunk.append(again.popleft())
        if chunk:
            return chunk
        if held:
            return held.pop()
        for unit in source:
            if isinstance(unit, Span):
                if not chunk:
                    return unit
                held.append(unit)
                break
            chunk.append(unit)
            if len(chunk) >= CHUNK:
                break
        return chunk

    def tasks_of(chunk: list[Task] | Span) -> list[Task]:
        return chunk if isinstance(chunk, list) else expand(chunk)

    def feed(w: _Worker) -> None:
        chunk = next_chunk(w)
        if chunk:
            w.fresh = False
            w.chunk = chunk
            w.started = time.monotonic()
            w.conn.send(chunk)

    def lost(w: _Worker, reason: str) -> None:
        """`w` died or was stopped during a chunk: the task it had started last is the one it
        was on; the others of the chunk go to other workers (those it had done too: their rows
        come back with the chunk's, and died with it)."""
        pool.remove(w)
        w.conn.close()
        w.process.join(1)
        stats.restarts += 1
        tasks = tasks_of(w.chunk) if w.chunk else []
        if tasks:
            at = min(max(w.counter.value - w.done - 1, 0), len(tasks) - 1)
            task = tasks[at]
            again.extendleft(reversed(tasks[:at] + tasks[at + 1:]))
            if task.attempt == 1:
                retry.append(dataclasses.replace(task, attempt=2))
            else:
                name = task.organisation.name if task.organisation else ""
                results.record(Record(task.key, task.source, task.row, name=name,
                                      org_id=task.organisation.id if task.organisation else "",
                                      error_kind="timeout" if "longer" in reason else "crash",
                                      error=f"error: {task.source}{f':{task.row}' if task.row else ''}: "
                                            f"the worker assessing it {reason}, twice (the second time "
                                            "alone in a fresh worker)", attempts=2))
        w.chunk = []
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
            limit = 1.0
            if timeout:
                now = time.monotonic()
                limit = min([limit, timeout / 4] + [w.started + timeout - now for w in busy if w.chunk])
            if results.tick:
                results.tick()  # at least once a second: the results store commits what it holds
            for ready in wait(list(waits), max(limit, 0.005)):
                w = waits[ready]
                if w not in pool:
                    continue
                if ready is w.conn:
                    try:
                        while w.conn.poll():
                            message = w.conn.recv()
                            if message[0] == "rows":
                                _, rows, read, ok, skipped, kept_errors, stopping = message
                                w.done += read
                                chunk, w.chunk = w.chunk, []
                                results.rows(rows, read, ok, skipped, kept_errors)
                                if stopping:  # its engine failed: replace it, go on with the rest
                                    again.extendleft(reversed(tasks_of(chunk)[read:]))
                                    pool.remove(w)
                                    w.process.join(5)
                                    w.conn.close()
                                    stats.restarts += 1
                                    pool.append(start())
                                    break
                            elif message[0] == "ready":
                                w.ready = True
                            else:
                                raise EngineError(f"a worker could not start: {message[1]}")
                    except (EOFError, OSError):
                        pass  # it died: its sentinel says so
                    if w.ready and not w.chunk and w in pool:
                        feed(w)
                else:
                    w.process.join(5)  # it has ended: its exit code is there once joined
                    if not w.ready:
                        raise EngineError(f"a worker process could not start "
                                          f"({_signal_name(w.process.exitcode)})")
                    lost(w, _signal_name(w.process.exitcode))
            if timeout:
                now = time.monotonic()
                for w in list(pool):
                    if not (w.ready and w.chunk):
                        continue
                    value = w.counter.value
                    if value != w.seen:  # it has moved on to another task since we last looked
                        w.seen, w.started = value, now
                    elif now - w.started > timeout:
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
