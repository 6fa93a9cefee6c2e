"""Assessing many organisations: the inputs of a batch (facts files, folders, survey exports)
as tasks, run in worker processes (`workers`) into results (`results`), skipping what the
results hold already. The per-organisation work is `records.assess_task`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from .errors import DataError, Problem
from .files import check_output_path
from .records import Record, Task, content_hash, pack_hash, row_error
from .yamlio import display_path, link_problem

FACTS_SUFFIXES = (".yaml", ".yml")
SURVEY_SUFFIXES = (".csv", ".xlsx")
SHOWN_FAILURES = 20  # errors a batch prints; every one is in the results' error column

# Inputs ----------------------------------------------------------------------------------

def input_files(inputs: Iterable[str]) -> tuple[list[Path], list[Path], list[Problem]]:
    """Facts files and survey exports named by `inputs` (folders are searched, sorted, not
    recursively into hidden folders), and a problem for each input that is neither."""
    facts, surveys, problems = [], [], []
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in FACTS_SUFFIXES
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not found:
                problems.append(Problem(display_path(path), 0, 0, "no facts files (.yaml) in this folder"))
            facts += found
        elif not path.exists():
            problems.append(Problem(display_path(path), 0, 0, link_problem(path) or "no such file or folder",
                                    "check the path"))
        elif path.suffix.lower() in SURVEY_SUFFIXES:
            surveys.append(path)
        elif path.suffix.lower() in FACTS_SUFFIXES:
            facts.append(path)
        else:
            problems.append(Problem(display_path(path), 0, 0, "not a facts file or survey export",
                                    "give .yaml facts files, folders of them, or a .csv or .xlsx "
                                    "survey export with --mapping"))
    # A file named twice (or found in a folder and named too) is one organisation, assessed once.
    return _once(facts), _once(surveys), problems


def _once(paths: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    kept = []
    for path in paths:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            kept.append(path)
    return kept


def file_tasks(paths: Iterable[Path]) -> Iterator[Task]:
    """A task per facts file, keyed by the hash of its bytes (an unreadable file is an error
    task, not the end of the batch)."""
    for path in paths:
        shown = display_path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield Task(content_hash(shown.encode()), shown, kind="error",
                       error=Problem(shown, 0, 0, f"cannot read: {exc.strerror}").format())
            continue
        yield Task(content_hash(data), shown, 0, "file")

# Running a batch -------------------------------------------------------------------------

@dataclass
class Summary:
    """What a batch did: counts for the closing line and the progress bar."""

    total: int | None = None     # tasks in the inputs, when counted
    assessed: int = 0
    errors: int = 0
    skipped: int = 0             # already in the results (same content, same pack)
    kept_errors: int = 0         # of those, the ones stored with a data error
    restarts: int = 0            # workers replaced after a crash or a timeout
    seconds: float = 0.0
    interrupted: bool = False
    pool: Any = None             # the worker pool's stats (workers.PoolStats): pids, restarts
    # the first SHOWN_FAILURES errors, of this run or kept from an earlier one, in the order of
    # their inputs (source, row): whatever order the workers finish in, the same ones are shown
    failures: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.assessed + self.errors + self.skipped

    def failed(self, errors: list[tuple[str, int, str]]) -> None:
        self.failures += errors
        if len(self.failures) > SHOWN_FAILURES:
            self.failures.sort()
            del self.failures[SHOWN_FAILURES:]

    @property
    def messages(self) -> list[str]:
        """The errors to show, in the order of their inputs."""
        return [message for _, _, message in sorted(self.failures)]


def run_batch(inputs: list[str], output: Path, rules: str | None = None, mapping: str | None = None,
              workers: int | None = None, timeout: float | None = None, count: bool = False,
              progress=None) -> Summary:
    """Assess every organisation in `inputs` into the results at `output`, skipping those
    already there (same content hash, same pack), in worker processes. `progress(summary)` is
    called as results arrive; on Ctrl-C what is done is kept and KeyboardInterrupt re-raised.

    The parent does little per organisation, so that two workers on two cores run nearly twice
    as fast as one: it hashes facts files and finds where pieces of a survey export end; the
    workers read and hash the rows, skip those already in the results, and send back rows ready
    to store, which the parent inserts in one statement per batch of them."""
    import time

    from .pack import load_pack
    from .results import open_store, output_kind
    from .workers import PoolStats, Results, run_pool

    output_kind(output)
    model = load_pack(rules)
    files, surveys, problems = input_files(inputs)
    check_output_path(output, {"the mapping": mapping, "the rule pack": rules,
                               **{f"the input {display_path(p)}": p for p in files + surveys}})
    maps = None
    if surveys and mapping is None:
        # Without a mapping, a .csv or .xlsx is one organisation's facts (a filled-in
        # questionnaire), read as `dots assess` reads it.
        files, surveys = files + surveys, []
    elif mapping is not None:
        from .survey import load_mapping
        maps = load_mapping(mapping, model)
    if problems:
        raise DataError(problems)
    from .survey import count_rows, span_tasks, survey_work

    summary = Summary()
    if count:
        summary.total = len(files) + sum(count_rows(p) for p in surveys)
    # A mapped column missing from an export is an error about the whole file: found before
    # anything runs, by reading each export's header.
    for path in surveys:
        first = survey_work(path, maps)
        next(first, None)
        first.close()

    def work():
        yield from file_tasks(files)
        for path in surveys:
            yield from survey_work(path, maps)

    store = open_store(output, model, pack_hash(model))
    start = time.monotonic()

    def rows(stored: list[tuple], read: int, ok: int, skipped: int,
             kept_errors: list[tuple[str, int, str]]) -> None:
        store.add_rows(stored)
        summary.assessed += ok
        summary.errors += len(stored) - ok
        summary.skipped += skipped
        summary.kept_errors += len(kept_errors)
        if ok < len(stored) or kept_errors:
            summary.failed([e for e in map(row_error, stored) if e[2] is not None] + kept_errors)
        if progress:
            summary.seconds = time.monotonic() - start
            progress(summary)

    def record(r: Record) -> None:
        store.add(r)
        summary.errors += 1
        summary.failed([(r.source, r.row or 0, r.error or "")])
        if progress:
            summary.seconds = time.monotonic() - start
            progress(summary)

    stats = summary.pool = PoolStats()
    try:
        run_pool(rules, work(), workers or os.cpu_count() or 1, timeout,
                 Results(rows, record, store.tick), stats, mapping if surveys else None,
                 store.resume(), lambda span: list(span_tasks(span, maps)))
    except KeyboardInterrupt:
        summary.interrupted = True
        raise
    finally:
        summary.restarts = stats.restarts
        summary.seconds = time.monotonic() - start
        store.close()
    return summary
