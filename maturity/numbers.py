"""Numbers the rule engine compares exactly, and the one rule that keeps every number so.

durable-rules' C core holds a whole number in 64 bits (larger ones saturate) and compares a
whole number with a decimal one as two doubles, so beyond 2^53 it can answer differently from
the arithmetic the documentation promises. Every number in a pack or a facts file (answers,
rule constants, `min` and `max`, test cases) must therefore lie within ±2^53, where each whole
number is exactly a double and every comparison the engine makes is exact.
"""

from __future__ import annotations

import math
from typing import Any

LIMIT = 2 ** 53  # 9,007,199,254,740,992: the largest magnitude allowed (docs/engine.md)
HINT = f"numbers from -{LIMIT:,} to {LIMIT:,} are compared exactly; use a smaller unit"


def exact(value: Any) -> bool:
    """Whether `value` (an int or float) is within the range the engine compares exactly."""
    return isinstance(value, bool) or not isinstance(value, (int, float)) or (
        (not isinstance(value, float) or math.isfinite(value)) and -LIMIT <= value <= LIMIT)


def not_exact(value: Any) -> tuple[str, str]:
    """The message and hint for a number outside that range: YAML's `.nan` and `.inf` are not
    numbers the engine can compare at all, a number beyond ±2^53 is too large."""
    if isinstance(value, float) and math.isnan(value):
        return "'.nan' (not a number) is not a number the rule engine can compare", \
            "write a number, or leave the answer out when it is not known"
    if isinstance(value, float) and math.isinf(value):
        return f"'{'-' if value < 0 else ''}.inf' (infinity) is not a number the rule engine can compare", HINT
    return f"the number {value} is too large for the rule engine to compare exactly", HINT
