"""Benchmarks for `make bench`: cold start of `dots assess` and assessments per second.

Standard library and the project only. Prints the figures; docs/performance.md records them.

  cold start   N alternating runs (new processes) of
                 <venv>/bin/dots assess examples/mid-size.yaml
                 <python> -c "import durable.lang, networkx, yaml, click"
               median wall time of each and their ratio (goal: at most 1.3).
  throughput   the default pack loaded once; `maturity.assess` in this process over a stream
               of new organisations (distinct fact sets generated from the pack's facts, fixed
               seed), each assessed once by the engine dots uses from an empty memo; median
               assessments per second over repeats, each with a new engine (goal: at least
               2,000); beside it, the same with every message sent (remember=False).
  large        generated models of 200 and 500 elements (bench/models.py): `dots rules check`,
               a cold `dots assess` and `dots render --only frontier` (goal: each under 2 s),
               beside the import floor of the same run; assessments per second of new
               organisations, as for throughput (goal: at least 1,000 on the 200-element model).

Both parts run pinned to one CPU (the engine is single-threaded). The goals are informational:
the exit status is 0 unless --check is given and a goal is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from models import generated_facts  # bench/models.py, beside this file

ROOT = Path(__file__).resolve().parent.parent
BASELINE_IMPORTS = "import durable.lang, networkx, yaml, click"
GOAL_RATIO = 1.3
GOAL_RATE = 2000.0
LARGE = (200, 500)          # elements of the generated models (bench/models.py)
GOAL_LARGE_SECONDS = 2.0    # rules check, cold assess and render --only frontier, each
GOAL_LARGE_RATE = 1000.0    # assessments/s on the 200-element model


# Machine ---------------------------------------------------------------------------------

def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def version_of(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def pin_to_one_cpu() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[-1]})
    return f"pinned to CPU {cpus[-1]} (of {len(cpus)} available)"


def machine(pinned: str) -> list[str]:
    return [
        f"cpu:            {cpu_model()}",
        f"cores:          {os.cpu_count()} ({pinned})",
        f"os:             {platform.platform()}",
        f"python:         {platform.python_version()} ({sys.executable})",
        f"durable-rules:  {version_of('durable_rules')}",
        f"networkx {version_of('networkx')}, PyYAML {version_of('PyYAML')}, "
        f"click {version_of('click')}, jsonschema {version_of('jsonschema')}",
    ]


# Cold start ------------------------------------------------------------------------------

def dots_command() -> list[str]:
    """The `dots` installed next to this interpreter, else `python -m maturity`."""
    script = Path(sys.executable).parent / "dots"
    return [str(script)] if script.exists() else [sys.executable, "-m", "maturity"]


def wall(cmd: list[str], env: dict) -> tuple[float, float]:
    """Wall time of one run of `cmd`, and the CPU time (user + system) it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({done.returncode}):\n"
                 f"{done.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def cold_start(example: Path, rules: str | None, repeat: int, with_version: bool) -> float:
    try:
        example = example.resolve().relative_to(ROOT)  # as a user in the project folder types it
    except ValueError:
        pass
    assess = dots_command() + ["assess", str(example)] + (["--rules", rules] if rules else [])
    # "dots assess" reads the pack as a first run does (the pack cache off); "cached" takes it
    # from the pack cache, which the warm-up run fills.
    commands = {"baseline": [sys.executable, "-c", BASELINE_IMPORTS], "dots assess": assess,
                "dots assess, cached": assess}
    if with_version:
        commands["dots --version"] = dots_command() + ["--version"]
    # Byte code is cached as a user's installation caches it, even where the environment says
    # not to (PYTHONDONTWRITEBYTECODE), in a folder of our own; the warm-up runs fill it.
    cache = tempfile.TemporaryDirectory(prefix="dots-bench-pycache-")
    packs = tempfile.TemporaryDirectory(prefix="dots-bench-packcache-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache.name
    env["XDG_CACHE_HOME"] = packs.name  # the pack cache of this run only
    envs = {name: env if name == "dots assess, cached" else dict(env, DOTS_PACK_CACHE="off")
            for name in commands}
    print(f"cold start: {repeat} alternating runs of each, after one warm-up run each "
          "(byte code cached)")
    for name, cmd in commands.items():
        print(f"  {name:20} {' '.join(cmd)}")
    for name, cmd in commands.items():  # warm the file cache and the byte-code cache
        wall(cmd, envs[name])
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for n in range(repeat):
        order = names if n % 2 == 0 else names[::-1]
        for name in order:
            elapsed, used = wall(commands[name], envs[name])
            times[name].append(elapsed)
            cpu[name].append(used)
    cache.cleanup()
    packs.cleanup()
    for name in names:
        t = times[name]
        print(f"  {name:20} median {statistics.median(t) * 1000:6.1f} ms   "
              f"min {min(t) * 1000:6.1f}   max {max(t) * 1000:6.1f}   "
              f"(CPU time: median {statistics.median(cpu[name]) * 1000:6.1f} ms)")
    med = {name: statistics.median(times[name]) for name in names}
    ratio = med["dots assess"] / med["baseline"]
    print(f"  ratio dots assess / baseline, of median wall times: {ratio:.2f} "
          f"({(med['dots assess'] - med['baseline']) * 1000:+.0f} ms)   "
          f"goal <= {GOAL_RATIO}: {'PASS' if ratio <= GOAL_RATIO else 'MISS'}")
    # Other work on the machine stretches wall times; these two are less disturbed by it.
    print(f"  (the same ratio of the fastest runs: "
          f"{min(times['dots assess']) / min(times['baseline']):.2f}; of median CPU times: "
          f"{statistics.median(cpu['dots assess']) / statistics.median(cpu['baseline']):.2f})")
    cached = med["dots assess, cached"] / med["baseline"]
    print(f"  ratio with the pack cache: {cached:.2f} "
          f"({(med['dots assess, cached'] - med['baseline']) * 1000:+.0f} ms; of median CPU times: "
          f"{statistics.median(cpu['dots assess, cached']) / statistics.median(cpu['baseline']):.2f})")
    return ratio


# Throughput ------------------------------------------------------------------------------

def examples_for(model, example_files: list[Path]) -> tuple[list, list[str]]:
    """The example organisations that are written for `model`, and the names of the others
    (examples for another pack, such as talent_community)."""
    from maturity import DataError, load_organisation
    orgs, skipped = [], []
    for path in example_files:
        try:
            orgs.append(load_organisation(path, model))
        except DataError:
            skipped.append(path.name)
    return orgs, skipped


def checked(model, facts: dict) -> dict:
    """`facts`, after the loader's own value check (the benchmark stops on a generated answer
    the loader would refuse)."""
    from maturity.organisation import value_problem
    bad = [(k, problem) for k, v in facts.items() if (problem := value_problem(model.fact_by_id[k], v))]
    if bad:
        sys.exit(f"bench: generated an invalid fact set: {bad[:3]}")
    return facts


def organisations(model, example_files: list[Path], generated: int, seed: int):
    from maturity.organisation import Organisation
    orgs, _ = examples_for(model, example_files)
    rng = random.Random(seed)
    for n in range(generated):
        facts = checked(model, generated_facts(model, rng))
        orgs.append(Organisation(name=f"generated {n}", facts=facts, id=f"gen{n}"))
    return orgs


def distinct_organisations(model, generated: int, seed: int) -> list:
    """`generated` fact sets generated from the model's facts, no two alike (a repeat is drawn
    again), each a new organisation."""
    from maturity.organisation import Organisation
    rng = random.Random(seed)
    seen, orgs = set(), []
    while len(orgs) < generated:
        facts = generated_facts(model, rng)
        text = repr(sorted(facts.items()))
        if text in seen:
            continue
        seen.add(text)
        orgs.append(Organisation(name=f"new {len(orgs)}", facts=checked(model, facts), id=f"new{len(orgs)}"))
    return orgs


def new_organisations_rate(model, orgs, repeat: int, remember: bool = True) -> tuple[list, list]:
    """Rates (by wall and by CPU time) of assessing each of `orgs` once, in order, `repeat`
    times, each time with a new engine: the one `dots` uses (its memo empty at the start, so
    its warm-up misses are counted), or with `remember=False` one that sends every message."""
    import maturity
    from maturity.assess import compiled_for
    from maturity.engine import Engine
    rates, cpu_rates = [], []
    for _ in range(repeat):
        engine = Engine(remember=remember)
        engine._rulesets(compiled_for(model))  # registering the pack is once per process
        start, cpu = time.perf_counter(), time.process_time()
        for org in orgs:
            maturity.assess(model, org, engine)
        rates.append(len(orgs) / (time.perf_counter() - start))
        cpu_rates.append(len(orgs) / max(time.process_time() - cpu, 1e-9))
    return rates, cpu_rates


def throughput(rules: str | None, example_files: list[Path], count: int, repeat: int,
               generated: int, seed: int, new: int) -> float:
    import maturity
    from maturity import compiler
    from maturity.engine import Engine

    start = time.perf_counter()
    model = maturity.load_pack(rules)
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    compiler.compile_pack(model)
    compile_s = time.perf_counter() - start
    examples, skipped = examples_for(model, example_files)
    if not examples:
        sys.exit(f"bench: none of the examples is written for pack '{model.id}'")
    orgs = organisations(model, example_files, generated, seed)
    print(f"throughput: pack '{model.id}' ({len(model.elements)} elements, {len(model.facts)} facts, "
          f"{len(model.rules)} rules)")
    if skipped:
        print(f"  (examples for other packs left out: {', '.join(skipped)})")
    print(f"  load pack {load_s * 1000:.1f} ms; compile {compile_s * 1000:.1f} ms (once)")
    start = time.perf_counter()
    maturity.assess(model, orgs[0], Engine())  # compiles, registers the ruleset with an engine
    print(f"  first assessment (compile + register ruleset) {(time.perf_counter() - start) * 1000:.1f} ms")
    # The goal figure: new organisations, each assessed once, by the engine dots uses, from an
    # empty memo (see docs/performance.md).
    stream = distinct_organisations(model, new, seed)
    rates, cpu_rates = new_organisations_rate(model, stream, repeat)
    rate = statistics.median(rates)
    print(f"  {new:,} new organisations (distinct generated fact sets, seed {seed}), each assessed "
          f"once by the engine dots uses, from an empty memo; {repeat} repeats, each with a new engine:")
    print(f"    median {rate:,.0f}/s   (min {min(rates):,.0f}, max {max(rates):,.0f}; "
          f"{1e6 / rate:.0f} us each; per second of CPU time {statistics.median(cpu_rates):,.0f}/s)   "
          f"goal >= {GOAL_RATE:,.0f}: {'PASS' if rate >= GOAL_RATE else 'MISS'}")
    # Every message sent: what the engine's C core and glue cost without the memo.
    plain = stream[:count]
    rates, cpu_rates = new_organisations_rate(model, plain, repeat, remember=False)
    print(f"  every message sent (Engine(remember=False)), the first {len(plain):,} of them: median "
          f"{statistics.median(rates):,.0f}/s (per second of CPU time {statistics.median(cpu_rates):,.0f}/s)")
    print(f"  the same {len(orgs)} fact sets ({len(examples)} examples + {generated} generated) over "
          f"and over with the engine dots uses: {remembered_rate(model, orgs, count):,.0f}/s of CPU time")
    print("  where an assessment's time goes, every message sent:")
    breakdown(model, orgs, min(count, 3000))
    return rate


def remembered_rate(model, orgs, count: int) -> float:
    """Assessments per second of CPU time over `orgs` again and again, with an engine that
    remembers what fired on each message: what re-assessing the same organisations costs."""
    import maturity
    from maturity.engine import Engine
    engine = Engine()
    for org in orgs:
        maturity.assess(model, org, engine)
    cpu = time.process_time()
    for n in range(count):
        maturity.assess(model, orgs[n % len(orgs)], engine)
    return count / max(time.process_time() - cpu, 1e-9)


class _Timed:
    """Stands in for the C module in maturity.engine, adding up the time spent in it."""

    def __init__(self, real) -> None:
        self._real = real
        self.seconds = 0.0
        self.calls = 0

    def __getattr__(self, name):
        fn = getattr(self._real, name)
        if not callable(fn):
            return fn

        def timed(*args):
            self.calls += 1
            start = time.perf_counter()
            try:
                return fn(*args)
            finally:
                self.seconds += time.perf_counter() - start
        setattr(self, name, timed)  # made once: later look-ups do not come here
        return timed


def breakdown(model, orgs, count: int) -> None:
    """Where one assessment's time goes, from a separate, instrumented pass."""
    import maturity
    from maturity import engine as engine_mod

    c_core = _Timed(engine_mod._dre)
    spent = {"run": 0.0, "between": 0.0}

    class TimedEngine(engine_mod.Engine):
        def run(self, compiled, first, next_round):
            def between(*args):
                start = time.perf_counter()
                try:
                    return next_round(*args)
                finally:
                    spent["between"] += time.perf_counter() - start
            start = time.perf_counter()
            try:
                return super().run(compiled, first, between)
            finally:
                spent["run"] += time.perf_counter() - start

    eng, plain_engine = TimedEngine(remember=False), engine_mod.Engine(remember=False)
    maturity.assess(model, orgs[0], eng)
    maturity.assess(model, orgs[0], plain_engine)
    plain = timed = 0.0
    for first in range(0, count, 100):  # untimed and timed stretches in turn, so that both
        stretch = range(first, min(first + 100, count))  # see the machine in the same state
        start = time.perf_counter()
        for n in stretch:
            maturity.assess(model, orgs[n % len(orgs)], plain_engine)
        plain += time.perf_counter() - start
        engine_mod._dre = c_core
        try:
            start = time.perf_counter()
            for n in stretch:
                maturity.assess(model, orgs[n % len(orgs)], eng)
            timed += time.perf_counter() - start
        finally:
            engine_mod._dre = c_core._real
    # The timers' own cost lands between the C calls, in what would be counted as glue; so the
    # glue is what is left of the untimed total once the measured parts are taken off.
    c_s, between = c_core.seconds, spent["between"]
    rest = timed - spent["run"]
    glue = max(plain - c_s - between - rest, 0.0)
    total = c_s + glue + between + rest
    print(f"  per assessment (from {count} more, and {count} timed in parts; "
          f"{c_core.calls / count:.0f} calls into the C core each; the timers added "
          f"{max(timed - plain, 0) / count * 1e6:.0f} us):")
    for label, s in (("durable-rules C core (assert, actions, delete)", c_s),
                     ("engine glue (facts per round, JSON, fired ids)", glue),
                     ("resolution between rounds (status, graph, stage)", between),
                     ("results (evidence, findings, advice, sorting)", rest)):
        print(f"    {label:50} {s / count * 1e6:7.1f} us  {s / total * 100:4.0f}%")


# Large models ----------------------------------------------------------------------------

def large_models(repeat: int, count: int) -> list[str]:
    """Generated models of LARGE elements (bench/models.py: 3 facts and 6 rules each, five
    groups): the wall and CPU time of `dots rules check`, a cold `dots assess` and `dots render
    --only frontier`, first with the pack cache off (every run reads the pack, as a first run
    does) and then with it on (after one run has filled it), next to the import floor measured
    in the same run; then assessments per second, where their time goes, and the floor the C
    core sets."""
    sys.path.insert(0, str(ROOT / "bench"))
    import models
    import maturity
    from maturity.engine import Engine
    missed = []
    folder = tempfile.TemporaryDirectory(prefix="dots-bench-large-")
    cache = tempfile.TemporaryDirectory(prefix="dots-bench-pycache-")
    packs = tempfile.TemporaryDirectory(prefix="dots-bench-packcache-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache.name
    env["XDG_CACHE_HOME"] = packs.name  # the pack cache of this run only
    uncached = dict(env, DOTS_PACK_CACHE="off")
    dots = dots_command()
    print(f"large models: {repeat} runs of each command, median wall time and CPU time (user + "
          "system), after one warm-up run")
    floor = [sys.executable, "-c", BASELINE_IMPORTS]
    wall(floor, env)
    runs = [wall(floor, env) for _ in range(repeat)]
    print(f"  {'import floor':52} {statistics.median(r[0] for r in runs):6.2f} s   "
          f"CPU {statistics.median(r[1] for r in runs):5.2f} s   ({BASELINE_IMPORTS})")
    for n in LARGE:
        pack, org = Path(folder.name) / f"model{n}.yaml", Path(folder.name) / f"org{n}.yaml"
        pack.write_text(models.dump(models.model(n)), "utf-8")
        org.write_text(models.dump({"organisation": {"name": f"Generated {n}"},
                                    "facts": models.organisation(n, 1)}), "utf-8")
        picture = Path(folder.name) / f"frontier{n}.svg"
        commands = {
            "rules check": dots + ["rules", "check", str(pack)],
            "assess (cold)": dots + ["assess", str(org), "--rules", str(pack)],
            "render --only frontier": dots + ["render", str(org), "--rules", str(pack), "--only",
                                              "frontier", "-o", str(picture)],
        }
        for name, cmd in commands.items():
            for label, environment in (("no cache", uncached), ("cached", env)):
                wall(cmd, environment)  # warm-up: byte code, and the pack cache when on
                picture.unlink(missing_ok=True)
                times = []
                for _ in range(repeat):
                    times.append(wall(cmd, environment))
                    picture.unlink(missing_ok=True)
                t = statistics.median(x[0] for x in times)
                cpu = statistics.median(x[1] for x in times)
                ok = t < GOAL_LARGE_SECONDS
                print(f"  {n} elements, {name + ', ' + label:40} {t:6.2f} s   CPU {cpu:5.2f} s   "
                      f"(min {min(x[0] for x in times):.2f})   goal < {GOAL_LARGE_SECONDS:g} s: "
                      f"{'PASS' if ok else 'MISS'}")
                if not ok and label == "cached":
                    missed.append(f"{n} elements {name} {t:.2f} s")
        model = maturity.load_pack(pack)
        orgs = [maturity.Organisation(f"o{i}", models.organisation(n, i)) for i in range(50)]
        compiled = maturity.assess.__globals__["compiled_for"](model)
        sizes = [len(p) for p in compiled.bucket_props.values()]
        print(f"  {n} elements: {len(model.rules)} rules in {sum(map(len, compiled.buckets.values()))} "
              f"buckets, {len(compiled.parts)} ruleset(s); properties per message "
              f"{min(sizes)}-{max(sizes)} (+3 tags)")
        # The goal figure: new organisations, each assessed once, from an empty memo.
        stream = [maturity.Organisation(f"new{i}", models.organisation(n, 1000 + i))
                  for i in range(max(count // (2 if n > 200 else 1), 200))]
        rates, cpu_rates = new_organisations_rate(model, stream, 3)
        rate, cpu_rate = statistics.median(rates), statistics.median(cpu_rates)
        goal = f"   goal >= {GOAL_LARGE_RATE:,.0f}: {'PASS' if cpu_rate >= GOAL_LARGE_RATE else 'MISS'}" \
            if n == 200 else ""
        print(f"  {n} elements: {len(stream):,} new organisations, each assessed once by the engine "
              f"dots uses from an empty memo, 3 repeats: median {rate:,.0f}/s by wall time, "
              f"{cpu_rate:,.0f}/s per second of CPU time ({1000 / cpu_rate:.2f} ms each){goal}")
        if n == 200 and cpu_rate < GOAL_LARGE_RATE:
            missed.append(f"200 elements {cpu_rate:,.0f} assessments/s")
        engine = Engine(remember=False)  # every message sent
        for org in orgs[:5]:
            maturity.assess(model, org, engine)
        runs = max(count // (10 if n > 200 else 4), 50)
        rates, cpu_rates = [], []
        for _ in range(3):
            start, cpu = time.perf_counter(), time.process_time()
            for i in range(runs):
                maturity.assess(model, orgs[i % len(orgs)], engine)
            rates.append(runs / (time.perf_counter() - start))
            cpu_rates.append(runs / (time.process_time() - cpu))
        cpu_plain = statistics.median(cpu_rates)
        print(f"  {n} elements, every message sent (Engine(remember=False)): 3 x {runs} assessments, "
              f"median {statistics.median(rates):,.0f}/s by wall time, {cpu_plain:,.0f}/s per "
              f"second of CPU time ({1000 / cpu_plain:.2f} ms each)")
        engine_floor(model, orgs, runs, 1 / cpu_plain, engine)
        print(f"    the same {len(orgs)} organisations again, with the engine dots uses: "
              f"{remembered_rate(model, orgs, runs):,.0f}/s of CPU time")
    folder.cleanup()
    cache.cleanup()
    packs.cleanup()
    return missed


def engine_floor(model, orgs, runs: int, each: float, engine) -> None:
    """Where a large model's assessment (`each` seconds of CPU time, untimed) goes in the C
    core, and what no wrapper can take off: a session on the pack's rulesets that matches
    nothing (made, one action, deleted), and one action per rule that fires."""
    import maturity
    from maturity import engine as engine_module
    compiled = maturity.assess.__globals__["compiled_for"](model)
    handles = engine._rulesets(compiled)
    real = engine_module._dre
    spent: dict[str, float] = {}
    actions = [0]

    class Timed:
        def __getattr__(self, name):
            function = getattr(real, name)

            def timed(*args):
                start = time.process_time()
                try:
                    return function(*args)
                finally:
                    spent[name] = spent.get(name, 0.0) + time.process_time() - start
                    actions[0] += name in ("start_action_for_state", "complete_and_start_action")
            return timed

    engine_module._dre = Timed()
    try:
        for i in range(runs):
            maturity.assess(model, orgs[i % len(orgs)], engine)
    finally:
        engine_module._dre = real
    c_core = sum(spent.values())
    total = each * runs  # the timers' own cost left out
    print(f"    per assessment: C core {c_core / runs * 1e3:.2f} ms (new sessions and matching "
          f"{spent.get('assert_facts', 0) / runs * 1e3:.2f}, {actions[0] / runs:.0f} actions "
          f"{(spent.get('start_action_for_state', 0) + spent.get('complete_and_start_action', 0)) / runs * 1e3:.2f}, "
          f"deleting {spent.get('delete_state', 0) / runs * 1e3:.2f}), Python "
          f"{(total - c_core) / runs * 1e3:.2f} ms")
    start = time.process_time()
    for i in range(runs):
        sid = f"floor{i}"
        for handle in handles:
            _, state = real.assert_facts(handle, f'[{{"k":"__begin","sid":"{sid}"}}]')
            message = real.start_action_for_state(handle, state)
            while message and message[1]:
                message = (None, real.complete_and_start_action(handle, state))
            real.delete_state(handle, sid)
    empty = (time.process_time() - start) / runs
    print(f"    floor: a session that matches nothing, on all {len(handles)} ruleset(s) "
          f"({len(compiled.definition)} rules): {empty * 1e3:.2f} ms; with the actions above, "
          f"at most {1 / (empty + (c_core / runs - spent.get('assert_facts', 0) / runs)):,.0f} "
          "assessments/s with no Python at all")


# Main ------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=15, help="cold-start runs of each command (15)")
    p.add_argument("--count", type=int, default=10000, help="assessments per throughput repeat (10000)")
    p.add_argument("--rounds", type=int, default=5, help="throughput repeats (5)")
    p.add_argument("--generated", type=int, default=200,
                   help="generated fact sets cycled through for the figures of the same "
                        "organisations again (200)")
    p.add_argument("--new", type=int, default=20000,
                   help="new organisations (distinct generated fact sets) for the goal figure (20000)")
    p.add_argument("--seed", type=int, default=20260101)
    p.add_argument("--rules", default=None, help="rule pack (default: the built-in default pack)")
    p.add_argument("--example", default=str(ROOT / "examples" / "mid-size.yaml"),
                   help="facts file for the cold start (examples/mid-size.yaml)")
    p.add_argument("--examples", nargs="*", default=None,
                   help="facts files cycled through for throughput (examples/*.yaml)")
    p.add_argument("--quick", action="store_true", help="a fast smoke run (few repeats)")
    p.add_argument("--only", choices=("cold", "throughput", "large"), help="run one part only")
    p.add_argument("--no-pin", action="store_true", help="do not pin to one CPU")
    p.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = p.parse_args(argv)
    try:
        return _bench(args)
    except Exception as exc:  # a pack or example that does not load: say which, plainly
        import maturity
        if isinstance(exc, maturity.MaturityError):
            sys.exit(f"bench: cannot load the pack or examples:\n{exc.format()}")
        raise


def _bench(args) -> int:
    if args.quick:
        args.repeat, args.count, args.rounds, args.generated, args.new = 3, 1000, 3, 50, 2000
    examples = [Path(e) for e in args.examples] if args.examples is not None else \
        sorted((ROOT / "examples").glob("*.yaml"))

    pinned = "not pinned" if args.no_pin else pin_to_one_cpu()
    print("machine")
    for line in machine(pinned):
        print(f"  {line}")
    missed = []
    if args.only in (None, "cold"):
        print()
        ratio = cold_start(Path(args.example), args.rules, args.repeat, with_version=not args.quick)
        if ratio > GOAL_RATIO:
            missed.append(f"cold-start ratio {ratio:.2f} > {GOAL_RATIO}")
    if args.only in (None, "throughput"):
        print()
        rate = throughput(args.rules, examples, args.count, args.rounds, args.generated, args.seed,
                          args.new)
        if rate < GOAL_RATE:
            missed.append(f"throughput {rate:,.0f}/s < {GOAL_RATE:,.0f}/s")
    if args.only in (None, "large"):
        print()
        # a cold `dots assess` of 500 elements takes seconds: fewer runs than the cold start's
        missed += large_models(max(3, args.repeat // 5) if not args.quick else 2, args.count // 10)
    print()
    print("goals: " + ("all met" if not missed else "missed: " + "; ".join(missed)))
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
