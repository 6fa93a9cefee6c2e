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
from maturity.explain import status_known
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
    every_dot_done = floors = stage_floors = 0
    for task in survey_tasks(export, m):
        record = assess_task(model, engine, task, m)
        a = maturity.assess(model, m.read_row(task))
        nxt = maturity.next_dot(a)
        assert (record.stage, record.next_dot) == (a.stage.id, nxt.result.element.id if nxt else None)
        assert [(e[0], e[1], e[3], e[4]) for e in record.elements] == \
            [(e.element.id, e.status.id, int(e.done), int(e.disconnected)) for e in a.elements]
        # Whether each status and the stage is known (not a floor), as `dots assess` says it.
        assert [(e[5], e[6]) for e in record.elements] == \
            [(int(e.element.id not in a.unassessed), int(status_known(a, e))) for e in a.elements]
        assert record.stage_known is (not a.stage_open)
        floors += len(a.status_open)
        stage_floors += a.stage_open
        every_dot_done += all(e.done for e in a.elements) and nxt is not None
        row = result_row(record, h, model)
        assert json.loads(row[-1]) == [list(e) for e in record.elements]
    # Among them, organisations whose every dot is done and whose next dot is one a stage
    # above needs raised (the case a batch once got wrong), and statuses and stages that are
    # floors.
    assert every_dot_done > 0 and floors > 0 and stage_floors > 0


def test_organisations_alike_but_for_a_dot_not_answered_are_stored_apart():
    # The same statuses (Purpose at its lowest level in both), but Purpose answered "no" in the
    # first and not answered in the second: Audience is disconnected in the first only.
    from maturity.records import Task
    model, engine = maturity.load_pack(None), Engine()
    audience = {"audience.priority_roles_named": True, "audience.personas": 1}
    organisations = [maturity.Organisation("Answered", {**audience, "purpose.goals_written": False}),
                     maturity.Organisation("Not asked", audience)]
    records = [assess_task(model, engine, Task(o.name, o.name, kind="row", organisation=o))
               for o in organisations]
    alone = [maturity.assess(model, o) for o in organisations]
    assert [a.element("purpose").status.id for a in alone] == ["missing", "missing"]
    assert [a.element("audience").disconnected for a in alone] == [True, False]
    for record, a in zip(records, alone):
        assert [(e[0], e[1], e[3], e[4]) for e in record.elements] == \
            [(e.element.id, e.status.id, int(e.done), int(e.disconnected)) for e in a.elements]


def test_a_hang_of_the_test_hook_ends_when_the_parent_died_before_it(tmp_path):
    """The test hook's hang (DOTS_TEST_CRASH=ID:hang) lasts until the worker is killed or its
    parent is gone, also when the parent died before the worker came to that organisation (a
    killed batch must not leave a worker hanging for ever)."""
    import os
    import signal
    import subprocess
    import sys
    import time
    script = tmp_path / "orphan.py"
    script.write_text(
        "import os, sys, time\n"
        "read, write = os.pipe()\n"
        "if os.fork():\n"                      # the parent: waits until the child has imported
        "    os.read(read, 1)\n"
        "    os._exit(0)\n"
        "from maturity import records\n"        # the worker imports while its parent lives
        "from maturity.organisation import Organisation\n"
        "os.write(write, b'x')\n"
        "while os.getppid() == records._PARENT:\n"
        "    time.sleep(0.01)\n"
        "open(sys.argv[1], 'w').write(str(os.getpid()))\n"
        "records._crash_hook(Organisation('Hang', {}, id='hang-org'))\n"
        "open(sys.argv[1] + '.after', 'w').write('returned')\n", "utf-8")
    marker = tmp_path / "pid"
    env = dict(os.environ, DOTS_TEST_CRASH="hang-org:hang")
    subprocess.run([sys.executable, str(script), str(marker)], env=env, check=True, timeout=60)
    for _ in range(600):
        if marker.exists() and marker.read_text():
            break
        time.sleep(0.05)
    pid = int(marker.read_text())
    try:
        for _ in range(200):  # the hook ends the orphan at once: gone within seconds
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the orphaned worker still hangs")
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not (tmp_path / "pid.after").exists()  # it ended in the hook (os._exit), not after
