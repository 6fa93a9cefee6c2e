"""One organisation's work in a batch: the task (what to assess), the record (the flat
result that is stored) and `assess_task`, the one per-organisation function that a worker
process, a serial loop or a Dask/Spark partition runs. Nothing here imports the process pool
or SQLite."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .advice import deciding_model
from .assess import Resolved, compiled_for, resolve
from .engine import Engine
from .errors import DataError, MaturityError
from .model import Model
from .organisation import Organisation
from .recommend import next_dot_id


@dataclass(frozen=True)
class Task:
    """One organisation to assess. `kind` is "file" (a facts file at `source`), "cells" (a
    survey row: its `cells` under `header`, read with the mapping), "row" (an organisation
    already built) or "error" (an input that could not be read: `error`)."""

    key: str                 # content hash: of the file's bytes, or of the mapping and the row
    source: str              # the file, as shown in messages
    row: int = 0             # the survey row's line (0 for a facts file)
    kind: str = "file"
    organisation: Organisation | None = None
    error: str = ""
    attempt: int = 1
    cells: tuple[str, ...] | None = None
    header: tuple[str, ...] | None = None


@dataclass
class Record:
    """What is stored for one organisation: its result, or the error that stopped it."""

    key: str
    source: str
    row: int
    org_id: str = ""
    name: str = ""
    sector: str = ""
    size: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    stage: str | None = None
    stage_rank: int | None = None
    next_dot: str | None = None
    # (element id, status id, status rank, done, disconnected, answered, known: 1 or 0), in model
    # order; answered is 0 for a dot none of whose questions has an answer (its status is the
    # lowest for want of answers: explain.unassessed), known is 0 for such a dot and for one whose
    # status is a floor, which questions not answered could raise (explain.status_known)
    elements: tuple[tuple[str, str, int, int, int, int, int], ...] = ()
    # whether the stage is known: False when questions not answered could raise it
    # (Assessment.stage_open); None for an error
    stage_known: bool | None = None
    error_kind: str | None = None   # "data", "engine", "crash" or "timeout"
    error: str | None = None
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.error_kind is None


def content_hash(data: bytes) -> str:
    """The key an input is stored under: 128 bits of its SHA-256, in hex."""
    return hashlib.sha256(data).hexdigest()[:32]


def pack_hash(model: Model) -> str:
    """A fingerprint of everything in a pack that can change a result or its labels: two
    results with the same pack hash were made by the same model and rules."""
    shape = {
        "id": model.id, "version": model.version,
        "statuses": [(s.id, s.label, s.done, s.rank) for s in model.statuses],
        "elements": [(e.id, e.label, e.index) for e in model.elements],
        "edges": sorted((e.source, e.target) for e in model.edges),
        "stages": [(s.id, s.label, s.rank) for s in model.stages],
        "facts": [(f.id, f.type, list(f.values), f.min, f.max) for f in model.facts],
        "rules": compiled_for(model).fingerprint,
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True, default=str).encode()).hexdigest()[:16]


def result_row(r: Record, pack_hash: str, model: Model) -> tuple:
    """A record as it is stored: the row of the results' `organisations` table (the layout is in
    docs/portfolio.md), its elements as JSON lists (id, status, rank, done, disconnected,
    answered, known). What workers send the parent, ready to insert."""
    memo = model.__dict__.setdefault("_json_memo", {})
    elements = memo.get(r.elements)
    if elements is None:
        elements = json.dumps(r.elements, separators=(",", ":"))
        if len(memo) < MEMO:
            memo[r.elements] = elements
    return (pack_hash, r.key, model.id, model.version or "", r.source, r.row, r.org_id, r.name,
            r.sector, r.size, json.dumps(r.meta, sort_keys=True) if r.meta else "{}", r.stage,
            r.stage_rank, None if r.stage_known is None else int(r.stage_known), r.next_dot,
            r.error_kind, r.error, r.attempts, elements)


def row_error(row: tuple) -> tuple[str, int, str | None]:
    """Where a stored row (`result_row`) comes from (source, row or 0) and its error message,
    None when it was assessed."""
    return row[4], row[5] or 0, row[16]  # the layout above: source, row, ..., error


# The per-organisation function -----------------------------------------------------------

def assess_task(model: Model, engine: Engine, task: Task, mapping=None) -> Record:
    """Assess one task and flatten the result into a record. Bad data is an error record, never
    an exception: a batch goes on past it. `mapping` (survey.Mapping) reads "cells" tasks."""
    record = Record(task.key, task.source, task.row, attempts=task.attempt)
    if task.kind == "error":
        record.error_kind, record.error = "data", task.error
        return record
    try:
        if task.kind == "cells":
            organisation = mapping.read_row(task)  # survey.Mapping
        elif task.kind == "row":
            organisation = task.organisation
        else:
            organisation = _load_file(model, task.source)
        _describe(record, organisation)
        _crash_hook(organisation)
        # Only the rules that set statuses and the stage, and no results built: what is stored
        # follows from the statuses and the stage alone (findings and advice are not stored).
        a = resolve(deciding_model(model), organisation, engine)
    except DataError as exc:
        record.error_kind, record.error = "data", exc.format()
        return record
    except MaturityError as exc:
        record.error_kind, record.error = "engine", exc.format()
        return record
    except Exception as exc:  # a bug of ours: this organisation's error row, not the batch's end
        record.error_kind = "internal"
        record.error = f"error: {task.source}: internal error: {type(exc).__name__}: {exc}"
        return record
    record.stage, record.stage_rank, record.stage_known = a.stage.id, a.stage.rank, not a.stage_open
    record.elements, record.next_dot = _flat(model, a)
    return record


MEMO = 4096   # flattened results (and their JSON) kept per process: a few MB at most


def _flat(model: Model, a: Resolved) -> tuple[tuple, str | None]:
    """The elements as stored, and the next dot as `dots assess` picks it (without the
    explanation). Both follow from the stage, the elements' statuses, which dots are not
    answered and which answered ones have their done open (done, disconnected and missing
    prerequisites are worked out from those: a dot on one not answered is not known
    disconnected); whether each status is known follows from which are floors. A portfolio
    repeats the same few thousand combinations of the first, so each is worked out once; the
    floors, which depend on the answers themselves, are marked on it for each organisation
    (tests/test_records.py checks them against assessing alone)."""
    memo = model.__dict__.get("_flat_memo")
    if memo is None:
        memo = model.__dict__["_flat_memo"] = {}
        model.__dict__["_element_ids"] = tuple(e.id for e in model.elements)
    statuses = a.statuses
    key = (a.stage.id, a.unassessed, a.done_open) + tuple([statuses[e].id for e in model.__dict__["_element_ids"]])
    found = memo.get(key)
    if found is None:
        unknown = a.unassessed
        answered = tuple(int(e.element.id not in unknown) for e in a.elements)
        found = (tuple((e.element.id, e.status.id, e.status.rank, int(e.done), int(e.disconnected), n, n)
                       for e, n in zip(a.elements, answered)), next_dot_id(a))
        if len(memo) < MEMO:
            memo[key] = found
    floors = a.status_open
    if not floors:  # every answered status known
        return found
    return tuple((*e[:6], 0) if e[0] in floors else e for e in found[0]), found[1]


def _load_file(model: Model, source: str) -> Organisation:
    """A facts file read as `maturity.load_organisation` reads it, after checking that the pack
    it names (`pack:`) is the batch's pack: a file for another pack is an error row."""
    from .organisation import organisation_from, read_document
    doc = read_document(source)
    declared = doc.data.get("pack")
    if declared and not _same_pack(model, str(declared), source):
        raise DataError([doc.problem(("pack",), f"the file names pack '{declared}'; this batch "
                                     f"assesses with '{model.id}'",
                                     f"batch it with --rules {declared}")])
    return organisation_from(doc, model, source)


_PACK_FILES: dict[tuple[str, str], bool] = {}


def _same_pack(model: Model, declared: str, source: str) -> bool:
    """Whether the pack a facts file names (`pack:`, a built-in name or a folder relative to
    the file) is `model`'s pack or one it extends, as `dots assess` decides it."""
    from .pack import builtin_packs, pack_files, resolve
    folder = str(Path(source).parent)
    key = (declared, folder)
    if key not in _PACK_FILES:
        try:
            where = Path(folder) / declared
            where = where if where.exists() else resolve(declared) if declared in builtin_packs() else None
            mine = {Path(f).resolve() for f in model.files}
            _PACK_FILES[key] = where is not None and {p.resolve() for p in pack_files(where)} <= mine
        except (DataError, OSError):
            _PACK_FILES[key] = False
    return _PACK_FILES[key]


def _describe(record: Record, organisation: Organisation) -> None:
    meta = dict(organisation.meta)
    record.org_id, record.name = organisation.id, organisation.name
    record.sector = str(meta.pop("sector", "") or "")
    record.size = str(meta.pop("size", "") or "")
    record.meta = {k: v for k, v in sorted(meta.items()) if isinstance(v, (str, int, float, bool))}


# Test hook: DOTS_TEST_CRASH=ORG_ID makes the worker assessing that organisation die by a signal
# (as a segfault in the C engine would), DOTS_TEST_CRASH=ORG_ID:hang makes it hang, and
# ORG_ID:once:PATH crashes only while PATH does not exist (it is made first). Only the test
# suite sets it; no input can. Read once per process.
_HOOK = os.environ.get("DOTS_TEST_CRASH", "")
_PARENT = os.getppid()  # the process that started this one, while it is alive (a hang ends with it)


def _crash_hook(organisation: Organisation) -> None:
    if not _HOOK:
        return
    target, _, how = _HOOK.partition(":")
    if organisation.id != target:
        return
    if how.startswith("once:"):
        marker = Path(how[5:])
        if marker.exists():
            return
        marker.write_text("crashed once\n")
    if how == "hang":
        import time
        # Until killed, or orphaned (also when the parent died before this organisation came).
        while os.getppid() == _PARENT:
            time.sleep(0.05)
        os._exit(3)
    import resource
    import signal
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file left behind
    os.kill(os.getpid(), signal.SIGSEGV)
