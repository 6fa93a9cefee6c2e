"""The one module that talks to durable-rules.

durable-rules 2.0.28 crashes or hangs when used carelessly (see docs/engine.md). This module
uses it the way that was measured to be safe: one host without background threads, used from
one thread; one live session at a time, always deleted in ``finally``; a marker fact so that
every session has run at least one action before it is deleted; and packs that have passed
`compiler.check_limits`. Matching and the order of firing are the engine's; we only read which
rules fired in each round.
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Callable

from .compiler import ROUNDS, CompiledPack
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


if _dre is not None:
    class _SyncHost(_Host):
        """A Host whose timer threads never start: actions run only when we ask, on our thread."""

        def _run(self) -> None:
            pass
else:  # pragma: no cover
    _SyncHost = None


class Engine:
    """Runs compiled packs. Use one Engine per process, from one thread."""

    def __init__(self) -> None:
        if _dre is None:
            raise EngineError(f"durable-rules cannot be imported ({_IMPORT_ERROR}); "
                              "it needs Python 3.10-3.12")
        self._host = _SyncHost()
        self._handles: dict[str, int] = {}
        self._thread = threading.get_ident()
        self._busy = False
        self._poisoned = ""
        self._sids = itertools.count(1)

    def _handle(self, compiled: CompiledPack) -> int:
        handle = self._handles.get(compiled.fingerprint)
        if handle is None:
            name = f"pack_{compiled.fingerprint}"
            definition = json.loads(json.dumps(compiled.definition))  # the host mutates what it gets
            for rule in definition.values():
                rule["run"] = _never_called
            try:
                self._host.set_rulesets({name: definition})
            except Exception as exc:
                raise EngineError(f"durable-rules refused the compiled pack: {exc}") from None
            handle = self._host.get_ruleset(name)._handle
            self._handles[compiled.fingerprint] = handle
        return handle

    def run(self, compiled: CompiledPack, first: dict,
            next_round: Callable[[int, list[str], dict], dict]) -> list[list[str]]:
        """Run the rounds of one assessment in one session; the rule ids fired in each round.

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
        handle = self._handle(compiled)
        sid = str(next(self._sids))
        names = compiled.rule_names
        fired_rounds: list[list[str]] = []
        self._busy = True
        started = False
        try:
            fact = first
            batch = [{"k": "__begin", "sid": sid}]
            for stratum in ROUNDS:
                if stratum > 0:
                    fact = next_round(stratum - 1, fired_rounds[-1], fact)
                batch += [{**fact, "k": stratum, "g": b, "sid": sid}
                          for b in compiled.buckets.get(stratum, [])]
                fired = self._assert_and_run(handle, batch, sid)
                started = True
                batch = []
                fired_rounds.append(sorted({names[f] for f in fired if f in names}))
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
            if started and not self._poisoned:
                _dre.delete_state(handle, sid)

    @staticmethod
    def _assert_and_run(handle: int, batch: list[dict], sid: str) -> list[str]:
        if not batch:
            return []
        code, state = _dre.assert_facts(handle, json.dumps(batch, separators=(",", ":")))
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


def _never_called(c) -> None:  # pragma: no cover - actions are drained by Engine itself
    raise RuntimeError("durable-rules ran an action on its own thread")


_default_engine: Engine | None = None


def default_engine() -> Engine:
    """The process's engine, made on first use."""
    global _default_engine
    if _default_engine is None:
        _default_engine = Engine()
    return _default_engine
