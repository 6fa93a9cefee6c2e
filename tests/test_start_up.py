"""What keeps a command's start and a pack's loading quick (docs/performance.md, "Cold start"),
each held here so that it is not lost unnoticed: the garbage collector is paused while a pack is
read, and `dots` freezes what its imports made before the command works."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

import maturity
from conftest import write_pack
from maturity import pack

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def collection_seen(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the collector was on when the model was built, for each pack read."""
    seen: list[bool] = []
    build = pack._build_model

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return build(*args, **kwargs)
    monkeypatch.setattr(pack, "_build_model", spy)
    monkeypatch.setenv("DOTS_PACK_CACHE", "off")
    return seen


def test_no_collection_while_a_pack_is_read_and_on_again_after(collection_seen):
    assert gc.isenabled()
    maturity.load_pack("default")
    assert collection_seen == [False]
    assert gc.isenabled()


def test_collection_is_on_again_after_a_pack_with_errors(tmp_path, collection_seen):
    folder = write_pack(tmp_path / "p", rules=[{"id": "r", "when": {"fact": "nope", "equals": 1},
                                                 "then": {"stage": "nope"}}])
    with pytest.raises(maturity.DataError):
        maturity.load_pack(folder)
    assert collection_seen == [False]
    assert gc.isenabled()


def test_collection_turned_off_by_the_caller_stays_off(collection_seen):
    gc.disable()
    try:
        maturity.load_pack("default")
        assert not gc.isenabled()
    finally:
        gc.enable()


FROZEN = """
import gc, sys
import maturity
from maturity.cli.main import main
assess = maturity.assess
def spy(*args, **kwargs):
    print("frozen when assessing:", gc.get_freeze_count() > 0, file=sys.stderr)
    return assess(*args, **kwargs)
maturity.assess = spy
sys.argv = ["dots"] + sys.argv[1:]
print("frozen before main:", gc.get_freeze_count() > 0, file=sys.stderr)
main()
"""


def test_dots_freezes_what_its_imports_made_before_the_command_works(tmp_path):
    result = subprocess.run([sys.executable, "-c", FROZEN, "assess",
                             str(ROOT / "examples" / "mid-size.yaml")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["frozen before main: False",
                                           "frozen when assessing: True"]
