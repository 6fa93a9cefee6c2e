"""The one module that talks to durable-rules.

durable-rules 2.0.28 crashes or hangs when used carelessly (see docs/engine.md). This module
uses it the way that was measured to be safe: one host without background threads, used from
one thread; one live session at a time, always deleted in ``finally``; a marker fact so that
every session has run at least one action before it is deleted; and only compiled packs within
the C core's limits (`compiler.engine_violations` is checked before a pack is taken). Matching and the order of firing are the engine's; we only read which
rules fired in each round.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
import threading
from itertools import chain, compress, count
from operator import is_not
from typing import Callable

from . import memo
from .compiler import ROUNDS, CompiledPack, engine_violations
from .errors import EngineError

try:  # durable-rules builds a C extension; say plainly when it is not there.
    import durable_rules_engine as _dre
    from durable.engine import Host as _Host
except ImportError as exc:  # pragma: no cover - depends on the interpreter
    _dre = None
    _IMPORT_ERROR = str(exc)
else:
    _IMPORT_ERROR = ""

_OK, _NOT_HANDLED = 0, 1
# durable-rules 2.0.28 calls PyEval_CallObject, which Python 3.13 removed; built with this it runs.
BUILD_FLAG = "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject"
DURABLE_RULES = "durable-rules==2.0.28"  # as pinned in pyproject.toml


def import_problem(version: tuple[int, int], error: str) -> tuple[str, str]:
    """The message and hint for durable-rules failing to import on Python `version`."""
    message = f"durable-rules cannot be imported ({error})"
    if version == (3, 13):
        return (f"{message}; on Python 3.13 it must be built with {BUILD_FLAG}",
                f"rebuild it: {BUILD_FLAG} pip install --no-cache-dir --force-reinstall "
                f"{DURABLE_RULES}")
    if (3, 10) <= version <= (3, 12):
        return message, f"reinstall it (pip install --force-reinstall {DURABLE_RULES})"
    return (f"{message}; it runs on Python 3.10 to 3.13, not on {version[0]}.{version[1]}",
            "use Python 3.10, 3.11, 3.12 or 3.13 (make PYTHON=/path/to/python3.x)")


if _dre is not None:
    class _SyncHost(_Host):
        """A Host whose timer threads never start: actions run only when we ask, on our thread."""

        def _run(self) -> None:
            pass
else:  # pragma: no cover
    _SyncHost = None


class Engine:
    """Runs compiled packs. Use one Engine per process, from one thread."""

    def __init__(self, remember: bool = True) -> None:
        """`remember`: keep what fired on messages by the classes of their values (see
        maturity/memo.py), so that a bucket whose every memo group meets classes seen before
        is not sent; without, every assessment sends every message."""
        if _dre is None:
            raise EngineError(*import_problem(sys.version_info[:2], _IMPORT_ERROR))
        self._host = _SyncHost()
        self._handles: dict[str, list[int]] = {}
        self._thread = threading.get_ident()
        self._busy = False
        self._poisoned = ""
        self._sids = itertools.count(1)
        # Per registered pack: the memo's plan (maturity/memo.py), and for each memo group what
        # fired for each key (the classes of the group's properties) met so far (see run).
        self._plans: dict[str, dict[int, memo.RoundPlan]] = {}
        self._matched: dict[str, list[dict[tuple, tuple[str, ...]]]] = {}
        self._lookups: dict[str, dict[int, dict[int, list[tuple[dict, Callable]]]]] = {}
        self._matched_count = 0
        self._remembering = remember
        # Per registered pack and round, what the last assessment met: the values of the
        # properties the memo classes, their classes, and what fired on each bucket (_classes).
        self._last: dict[str, dict[int, tuple[list, list, dict[int, list[str]]]]] = {}

    def _rulesets(self, compiled: CompiledPack) -> list[int]:
        """The engine's handles of the rulesets a compiled pack is split into, made once."""
        key = _pack_key(compiled)
        handles = self._handles.get(key)
        if handles is None:
            violations = engine_violations(compiled)
            if violations:
                raise EngineError("the compiled pack is beyond the engine's limits: "
                                  + "; ".join(violations[:3]))
            handles = []
            for n, names in enumerate(compiled.parts):
                name = f"pack_{compiled.fingerprint}_{len(self._handles)}_{n}"
                # the host mutates what it gets: a copy
                definition = json.loads(json.dumps({r: compiled.definition[r]
                                                    for r in ["__begin", *names]}))
                for rule in definition.values():
                    rule["run"] = _never_called
                try:
                    self._host.set_rulesets({name: definition})
                except Exception as exc:
                    raise EngineError(f"durable-rules refused the compiled pack: {exc}") from None
                handles.append(self._host.get_ruleset(name)._handle)
            self._handles[key] = handles
            self._plans[key], groups = memo.plan(compiled)
            matched = self._matched[key] = [{} for _ in range(groups)]
            # per round and bucket, each group's table and what takes its key (tables are
            # emptied in place when full, never replaced)
            self._lookups[key] = {
                stratum: {number: [(matched[g], _NEVER if k is None else k) for g, k, _ in found]
                          for number, found in round_plan.buckets}
                for stratum, round_plan in self._plans[key].items()}
        return handles

    def run(self, compiled: CompiledPack, first: dict,
            next_round: Callable[[int, list[str], dict], dict]) -> list[list[str]]:
        """Run the rounds of one assessment, one session per ruleset; the rule ids fired in
        each round.

        `first` is round 0's fact; after each round, `next_round(round, fired_ids, fact)` gives
        the next round's fact (the caller resolves the round's conclusions into it)."""
        if threading.get_ident() != self._thread:
            raise EngineError("the engine is used from a second thread; use one engine per "
                              "thread (or better, one per process)")
        if self._poisoned:
            raise EngineError(f"the engine failed earlier in this process ({self._poisoned}); "
                              "start a new process")
        if self._busy:
            raise EngineError("a second assessment was started inside the first")
        handles = self._rulesets(compiled)
        key = _pack_key(compiled)
        plans, matched, lookups = self._plans[key], self._matched[key], self._lookups[key]
        remembering = self._remembering
        # per round, what this engine's last assessment of the pack met (see _classes)
        last = self._last.setdefault(key, {})
        met: dict[int, tuple | None] = {}
        last_rounds = _last_rounds(compiled)
        sid = str(next(self._sids))
        names = compiled.rule_names
        fired_rounds: list[list[str]] = []
        self._busy = True
        live: list[int] = []  # handles whose session has run an action (safe to delete), not yet deleted
        try:
            fact = first
            sid_json = f'"{sid}"'  # sids are decimal numbers
            for stratum in ROUNDS:
                if stratum > 0:
                    fact = next_round(stratum - 1, fired_rounds[-1], fact)
                fired: list[str] = []
                # ruleset -> bucket -> (message without the sid, its memo groups and their keys)
                sent: dict[int, dict[int, tuple[str, list]]] = {}
                round_plan = plans.get(stratum)
                outcome: dict[int, list[str]] | None = None  # bucket -> what fired on it
                if remembering and round_plan is not None:
                    # Every rule is one pattern on one bucket's message testing each property
                    # against constants: what fires for a memo group follows from the classes of
                    # its properties' values (maturity/memo.py). A bucket whose every group has
                    # met its classes before is not sent.
                    values = list(map(fact.get, round_plan.props))  # None: absent
                    before = last.get(stratum)
                    classes, unchanged = _classes(round_plan, values, before)
                    slots, outcome, tables = round_plan.slots, {}, lookups[stratum]
                    for number, groups in round_plan.buckets:
                        if unchanged is not None:
                            # What the last assessment of this pack found on a bucket whose
                            # values are the very same objects: nothing to look up.
                            read = slots[number]
                            if read is not None and read.isdisjoint(unchanged):
                                same = before[2].get(number)
                                if same is not None:
                                    outcome[number] = same
                                    fired += same
                                    continue
                        # every group's key known: its rules, in one pass (the common case)
                        found = [table.get(take(classes)) for table, take in tables[number]]
                        if None not in found:
                            here = list(chain.from_iterable(found))
                            outcome[number] = here
                            fired += here
                            continue
                        here = []
                        for (group, key, parts), known in zip(groups, found):
                            if known is None and parts is not None:
                                known = _decide(matched[group], parts, classes)
                                if known is not None:  # next time its whole key answers at once
                                    self._keep(matched[group], key(classes), known)
                            if known is None:
                                keys = [(g, _ALWAYS if k is None else k(classes),
                                         None if p is None else _part_keys(p, classes))
                                        for g, k, p in groups]
                                self._queue(compiled, stratum, number, fact, sent, keys)
                                break
                            here += known
                        else:
                            outcome[number] = here
                            fired += here
                else:
                    for number in compiled.buckets.get(stratum, ()):
                        self._queue(compiled, stratum, number, fact, sent, None)
                for part in sorted(sent):
                    handle = handles[part]
                    # a part's session begins with the marker, so that it has run an action
                    batch = [] if handle in live else [f'{{"k":"__begin","sid":{sid_json}}}']
                    batch += [f"{m}{sid_json}}}" for m, _ in sent[part].values()]
                    got = self._assert_and_run(handle, batch)
                    if handle not in live:
                        live.append(handle)
                    fired += got
                    if remembering and round_plan is not None:
                        self._remember(matched, round_plan.group_of, sent[part].values(), got)
                        if outcome is not None and not _attribute(compiled, stratum, sent[part], got, outcome):
                            outcome = None
                    if last_rounds[part] <= stratum:  # its last round: done with, so deleted now
                        live.remove(handle)
                        _dre.delete_state(handle, sid)
                for part, handle in enumerate(handles):  # those sent nothing this round
                    if handle in live and last_rounds[part] <= stratum:
                        live.remove(handle)
                        _dre.delete_state(handle, sid)
                ids = set(map(names.get, fired))  # the marker's and any unknown name give None
                ids.discard(None)
                fired_rounds.append(sorted(ids))
                met[stratum] = None if outcome is None else (values, classes, outcome)
            # kept only when every round ran to its end: a round left half done is no base
            last.clear()
            last.update((n, m) for n, m in met.items() if m is not None)
            return fired_rounds
        except EngineError:
            raise
        except MemoryError as exc:
            self._poisoned = f"out of engine sessions: {exc}"
            raise EngineError(self._poisoned) from None
        except Exception as exc:  # durable_rules_engine.error and friends
            self._poisoned = str(exc)
            raise EngineError(f"durable-rules failed: {exc}") from None
        finally:
            self._busy = False
            if not self._poisoned:
                for handle in live:
                    _dre.delete_state(handle, sid)

    @staticmethod
    def _queue(compiled: CompiledPack, stratum: int, number: int, fact: dict,
               sent: dict[int, dict[int, tuple[str, list]]], keys: list | None) -> None:
        """Add bucket `number`'s message to what is sent to its ruleset this round. Each bucket
        gets its own message: the properties its rules test (the others cannot change what
        matches there, and would cost encoding, parsing and storage), tagged with round, bucket
        and session. Property names never collide with the tags k, g and sid."""
        body = _encode({p: fact[p] for p in compiled.bucket_props[(stratum, number)]
                        if p in fact})[:-1]
        body += "," if len(body) > 1 else ""
        message = f'{body}"k":{stratum},"g":{number},"sid":'
        sent.setdefault(compiled.bucket_part[(stratum, number)], {})[number] = (message, keys)

    def _remember(self, matched: list[dict], group_of: dict[str, int], messages,
                  fired: list[str]) -> None:
        """Keep what fired for each memo group of the buckets sent (`messages`: each message
        with its groups, their keys and their parts' keys), a bounded number of keys in all. A rule fired
        outside those groups would mean a rule that reads more than its own bucket's message:
        then nothing is kept."""
        on: dict[int, list[str]] = {}
        for _, keys in messages:
            for group, _, _ in keys:
                on[group] = []
        for name in fired:
            if name == "__begin":
                continue
            group = group_of.get(name)
            if group is None or group not in on:
                return
            on[group].append(name)
        for _, keys in messages:
            for group, key, mine in keys:
                if key is _ALWAYS:  # a group the memo does not reason about: always sent
                    continue
                table = matched[group]
                learnt: dict = {}
                if mine is not None:
                    if on[group]:  # fired: every part holds
                        learnt.update((k, True) for k in mine)
                    else:  # not fired: the one part not known to hold does not
                        unknown = [k for k in mine if table.get(k) is not True]
                        if len(unknown) == 1:
                            learnt[unknown[0]] = False
                learnt[key] = tuple(dict.fromkeys(on[group]))  # a rule may match twice
                for k, value in learnt.items():
                    self._keep(table, k, value)

    def _keep(self, table: dict, key, value) -> None:
        """Keep `value` under `key` in a memo group's table, a bounded number in all."""
        if self._matched_count >= MATCHED_KEYS:  # full: start again, memory stays bounded
            for kept in self._matched.values():
                for known in kept:
                    known.clear()
            self._matched_count = 0
        if key not in table:
            self._matched_count += 1
        table[key] = value

    @staticmethod
    def _assert_and_run(handle: int, batch: list[str]) -> list[str]:
        """Assert facts (each already JSON text) and drain the actions they start."""
        if not batch:
            return []
        code, state = _dre.assert_facts(handle, "[" + ",".join(batch) + "]")
        if code not in (_OK, _NOT_HANDLED):
            raise EngineError(f"durable-rules returned code {code}")
        fired: list[str] = []
        result = _dre.start_action_for_state(handle, state)
        message = result[1] if result else None
        while message:
            # The message is {"<rule name>": {...}}; our rule names are plain, so no parse needed.
            fired.append(message[2:message.index('"', 2)])
            message = _dre.complete_and_start_action(handle, state)
        return fired


# Memo keys (a memo group and the classes of its properties, or one part of a rule and the
# classes of its properties) whose matching results an engine keeps, over all packs; then it
# starts again. A key and what it holds take ~120 bytes (measured): ~12 MB at most. The
# generated 200-element model holds ~11,900 keys after 1,500 new organisations, the default
# pack ~7,000 after 6,000 (measured).
MATCHED_KEYS = 100000


_ALWAYS = object()  # the key of a memo group that is always sent (memo.RoundPlan)


def _NEVER(classes: list) -> object:
    """The key of a memo group that is always sent: found in no table."""
    return _ALWAYS


def _classes(round_plan: memo.RoundPlan, values: list, before: tuple | None) -> tuple[list, set | None]:
    """The classes of a round's `values` (None: absent), and the places whose value is not the
    very object it was in the last assessment of the pack (`before`: its values, classes and
    outcomes, or None). Consecutive assessments of a pack often share most values (what-ifs
    differ in one answer; bools, small ints and the pack's own strings are shared objects): only
    the others are classed again, and a bucket that reads none of them fired as before (the
    classes of its values, hence what fires on it, are the same)."""
    classify = round_plan.classify
    if before is None or len(before[0]) != len(values):
        # Absent and yes/no are their own classes, without a call: memo.classifier gives a bool
        # itself, or its text where a test of the property is opaque; either way a class that
        # holds that one value alone, as this one does.
        return [None if v is None else v if v is True or v is False else c(v)
                for v, (_, c) in zip(values, classify)], None
    old_values, old_classes, _ = before
    moved = list(compress(count(), map(is_not, values, old_values)))
    classes = old_classes.copy()
    for n in moved:
        v = values[n]
        classes[n] = None if v is None else v if v is True or v is False else classify[n][1](v)
    return classes, set(moved)


def _attribute(compiled: CompiledPack, stratum: int, messages: dict[int, tuple], fired: list[str],
               outcome: dict[int, list[str]]) -> bool:
    """Add what fired on the buckets sent to one ruleset (`messages`: bucket -> message) to
    `outcome`, bucket by bucket; False when a rule fired that is not of one of those buckets."""
    for number in messages:
        outcome[number] = []
    where = compiled.rule_bucket
    for name in fired:
        if name == "__begin":
            continue
        bucket = where.get(name)
        if bucket is None or bucket[0] != stratum or bucket[1] not in messages:
            return False
        outcome[bucket[1]].append(name)
    return True


def _part_keys(parts: tuple, classes: list) -> list[tuple]:
    """The keys of a memo group's parts (memo.RoundPlan): (-1 - the part's number, the classes
    of its properties), never equal to a whole key (whose first class is None, a bool, an int
    from 4 on or a tuple)."""
    return [(-1 - n, part(classes)) for n, part in enumerate(parts[1])]


def _decide(table: dict, parts: tuple, classes: list) -> tuple[str, ...] | None:
    """What fired for a memo group of one rule in parts (memo.RoundPlan): the rule when every
    part is known to hold, nothing when one is known not to, None when that is not known."""
    name, getters = parts
    verdict: bool | None = True
    for n, part in enumerate(getters):
        holds = table.get((-1 - n, part(classes)))
        if holds is None:
            verdict = None
        elif not holds:
            return ()
    return (name,) if verdict else None


def _pack_key(compiled: CompiledPack) -> str:
    """The key under which an engine registers a compiled pack: the same rules split into other
    rulesets are registered apart."""
    return compiled.fingerprint + "".join(f"/{len(p)}" for p in compiled.parts)


def _last_rounds(compiled: CompiledPack) -> dict[int, int]:
    """The last round in which each ruleset of a compiled pack has buckets, worked out once."""
    last = compiled.__dict__.get("_last_rounds")
    if last is None:
        last = {}
        for (stratum, _), part in compiled.bucket_part.items():
            last[part] = max(last.get(part, stratum), stratum)
        compiled.__dict__["_last_rounds"] = last
    return last


def _encode(fact: dict) -> str:
    """`fact` as JSON text for durable-rules. Its parser crashes the process on a number with
    an exponent but no decimal point, which json.dumps writes for small and large floats
    (1e-05, 1e+16); written with one (1.0e-05) it reads them correctly."""
    if not _SIMPLE.issuperset(map(type, fact.values())):
        for value in fact.values():
            if type(value) not in _SIMPLE and not _plain(value):
                return "{" + ",".join(f"{json.dumps(k)}:{_encode_value(v)}" for k, v in fact.items()) + "}"
    # The common case, in one call to the C encoder; it writes the same text as the line above.
    return _compact(fact)


_SIMPLE = frozenset({str, int, bool, type(None)})
_compact = json.JSONEncoder(separators=(",", ":")).encode  # json.dumps(..., separators=(",", ":"))
if json.encoder.c_make_encoder is not None:
    # The same C encoder JSONEncoder.encode makes on every call, made once (our facts hold no
    # cycles, so the cycle check is left out): the same text, without the per-call set-up.
    _c_compact = json.encoder.c_make_encoder(
        None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None, ":", ",",
        False, False, True)

    def _compact(fact: dict, _join="".join, _c=_c_compact) -> str:  # noqa: F811
        return _join(_c(fact, 0))


def _plain(value) -> bool:
    """Whether json.dumps writes `value` as `_encode_value` does: no float with an exponent."""
    if type(value) is float:
        return math.isfinite(value) and "e" not in repr(value)
    if type(value) is list:
        return _SIMPLE.issuperset(map(type, value)) or all(type(v) in _SIMPLE or _plain(v) for v in value)
    return False


def _encode_value(value) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):  # the parser crashes on Infinity too
            raise EngineError(f"the number {value} cannot be passed to the rule engine")
        mantissa, e, exponent = repr(value).partition("e")
        return f"{mantissa}.0e{exponent}" if e and "." not in mantissa else repr(value)
    if isinstance(value, list):
        return "[" + ",".join(_encode_value(v) for v in value) + "]"
    return json.dumps(value)


def _never_called(c) -> None:  # pragma: no cover - actions are drained by Engine itself
    raise RuntimeError("durable-rules ran an action on its own thread")


_default_engine: Engine | None = None


def default_engine() -> Engine:
    """The process's engine, made on first use."""
    global _default_engine
    if _default_engine is None:
        _default_engine = Engine()
    return _default_engine
