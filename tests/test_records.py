"""The per-organisation function of a batch (`records.assess_task`) gives, for every
organisation, what assessing it alone gives: the stage, each element's status and the next dot
as `dots assess` picks it. Checked on generated survey rows across the maturity range (the
batch benchmark's generator), in this process, without workers."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import maturity
from maturity.engine import Engine
from maturity.records import assess_task, pack_hash, result_row
from maturity.survey import load_mapping, survey_tasks

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("bench_batch", ROOT / "bench" / "batch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_batch_function_equals_assessing_each_alone(tmp_path):
    model = maturity.load_pack(None)
    export, mapping = _generator().write_survey(model, tmp_path, 800, 20261128)
    m = load_mapping(mapping, model)
    engine, h = Engine(), pack_hash(model)
    every_dot_done = 0
    for task in survey_tasks(export, m):
        record = assess_task(model, engine, task, m)
        a = maturity.assess(model, m.read_row(task))
        nxt = maturity.next_dot(a)
        assert (record.stage, record.next_dot) == (a.stage.id, nxt.result.element.id if nxt else None)
        assert [(e[0], e[1], e[3], e[4]) for e in record.elements] == \
            [(e.element.id, e.status.id, int(e.done), int(e.disconnected)) for e in a.elements]
        every_dot_done += all(e.done for e in a.elements) and nxt is not None
        row = result_row(record, h, model)
        assert json.loads(row[-1]) == [list(e) for e in record.elements]
    # Among them, organisations whose every dot is done and whose next dot is one a stage
    # above needs raised (the case a batch once got wrong).
    assert every_dot_done > 0
