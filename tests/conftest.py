"""Shared test fixtures.

- `--update-golden` rewrites the expected files in tests/golden from the current output; without
  it, the `golden` fixture compares output with them byte for byte.
- A tiny, self-contained rule pack (three elements in a chain, three statuses, three stages,
  four facts of four types, ten rules over all three rounds) for tests that must not depend on
  the default pack: the `tiny_pack` fixture writes it into the test's folder; `write_pack(folder,
  **changes)` writes it with whole sections replaced (or removed with None), and `write_org`
  writes a facts file. Hypothesis tests, which cannot use function-scoped fixtures, import the
  functions: `from conftest import write_pack`.
"""

from __future__ import annotations

import atexit
import copy
import os
import shutil
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files in tests/golden from the current output")
    parser.addoption("--differential-examples", type=int, default=0, metavar="N",
                     help="examples per test in tests/test_differential.py (default: a bounded, "
                          "repeatable number; more: new random ones each run)")


class Golden:
    """Compares output with a golden file, or rewrites the file under --update-golden."""

    def __init__(self, update: bool, folder: Path = GOLDEN_DIR):
        self.update, self.folder = update, folder

    def path(self, name: str) -> Path:
        return self.folder / name

    def __call__(self, name: str, actual: str | bytes) -> None:
        data = actual.encode("utf-8") if isinstance(actual, str) else actual
        path = self.path(name)
        if self.update:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
            return
        if not path.exists():
            pytest.fail(f"no golden file {path}; run pytest --update-golden to write it")
        expected = path.read_bytes()
        if isinstance(actual, str):
            assert actual == expected.decode("utf-8"), f"output differs from {path}"
        else:
            assert actual == expected, f"output differs from {path}"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """`golden(name, output)`: assert `output` equals tests/golden/<name> (or rewrite it)."""
    return Golden(request.config.getoption("--update-golden"))


# The tiny pack ---------------------------------------------------------------------------

TINY_PACK_TEXT = """\
pack: {id: tiny, label: Tiny model}
statuses:
  - {id: missing, label: Missing}
  - {id: started, label: Started}
  - {id: defined, label: Defined, done: true}
elements:
  - {id: purpose, label: Purpose}
  - {id: audience, label: Audience}
  - {id: platforms, label: Platforms}
edges:
  - {from: purpose, to: audience}
  - {from: audience, to: platforms}
stages:
  - {id: just_do_it, label: Just do it}
  - {id: strategised, label: Strategised}
  - {id: engaging, label: Engaging}
facts:
  - {id: purpose.goals_written, element: purpose, type: boolean}
  - {id: audience.personas, element: audience, type: integer, min: 0}
  - {id: platforms.channels, element: platforms, type: choices, values: [linkedin, facebook, tiktok]}
  - {id: platforms.measure, element: platforms, type: choice, values: [none, reach, hires]}
rules:
  - id: purpose.defined
    because: goals written
    when: {fact: purpose.goals_written, equals: true}
    then: {status: {purpose: defined}}
  - id: audience.started
    because: some personas
    when: {fact: audience.personas, gte: 1}
    then: {status: {audience: started}}
  - id: audience.defined
    because: enough personas
    # Unanswered is unknown; 'present: false' says outright that no answer will do.
    when: {all: [{fact: audience.personas, gte: 3}, {any: [{not: {fact: platforms.measure, equals: none}}, {fact: platforms.measure, present: false}]}]}
    then: {status: {audience: defined}}
  - id: platforms.started
    because: on platforms
    when: {count: platforms.channels, gte: 1}
    then: {status: {platforms: started}}
  - id: platforms.defined
    because: many
    when: {any: [{fact: platforms.channels, contains: tiktok}, {fact: platforms.measure, one_of: [reach, hires]}]}
    then: {status: {platforms: defined}}
  - id: stage.strat
    because: purpose and audience done
    when: {all: [{done: purpose, equals: true}, {status: audience, gte: defined}]}
    then: {stage: strategised}
  - id: stage.eng
    because: all done
    when: {done: platforms, equals: true}
    then: {stage: engaging}
  - id: find.disc
    because: disconnected
    when: {disconnected: platforms, equals: true}
    then: {findings: [{id: platforms-disc, severity: high, element: platforms, message: "Platforms before foundations"}]}
  - id: advice.purpose
    because: goals not written
    when: {fact: purpose.goals_written, equals: false}
    then: {advice: [{id: write-purpose, element: purpose, about: [purpose.goals_written], action: "Write down goals"}]}
  - id: advice.late
    because: stage low
    when: {stage: current, lt: engaging}
    then: {advice: [{id: keep-going, action: "Keep going"}]}
"""

TINY_PACK: dict[str, Any] = yaml.safe_load(TINY_PACK_TEXT)

# The test run's pack cache (maturity/packcache.py) is its own, never the user's; commands the
# tests start inherit it.
_CACHE = tempfile.mkdtemp(prefix="dots-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)

# Facts of two organisations: one just doing it (platforms disconnected), one fully connected.
ORG_ACME = {"purpose.goals_written": False, "audience.personas": 0, "platforms.channels": ["linkedin", "facebook"]}
ORG_BETA = {"purpose.goals_written": True, "audience.personas": 4,
            "platforms.channels": ["tiktok"], "platforms.measure": "hires"}


def write_text(path: Path, text: str) -> Path:
    """Write `text` (dedented) to `path`, making its folder; returns `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


def pack_data(**changes: Any) -> dict[str, Any]:
    """The tiny pack as data, with whole sections replaced by `changes` (None removes one)."""
    data = copy.deepcopy(TINY_PACK)
    for section, value in changes.items():
        if value is None:
            data.pop(section, None)
        else:
            data[section] = copy.deepcopy(value)
    return data


def write_pack(folder: Path, *, dirname: str = "tiny", **changes: Any) -> Path:
    """Write the tiny pack (with `changes`, as for `pack_data`) as `folder/dirname/pack.yaml`;
    returns the pack's folder. Without changes the file is TINY_PACK_TEXT itself."""
    target = Path(folder) / dirname
    text = TINY_PACK_TEXT if not changes else \
        yaml.safe_dump(pack_data(**changes), sort_keys=False, allow_unicode=True, width=1000)
    write_text(target / "pack.yaml", text)
    return target


def write_org(path: Path, facts: dict[str, Any], name: str = "Acme", **organisation: Any) -> Path:
    """Write an organisation facts file to `path` (a file name); returns `path`."""
    data = {"organisation": {"name": name, **organisation}, "facts": facts}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    return path


@pytest.fixture
def tiny_pack(tmp_path: Path) -> Path:
    """The folder of the tiny pack, written into the test's own temporary folder."""
    return write_pack(tmp_path)


@pytest.fixture
def tiny_model(tiny_pack: Path):
    """The tiny pack, loaded."""
    import maturity
    return maturity.load_pack(tiny_pack)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder the CLI runs in (some test files make their own)."""
    return _working_folder(tmp_path, monkeypatch)


def _working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def example_workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working folder, holding a valid facts file `ok.yaml` (the just-do-it example)."""
    workdir = _working_folder(tmp_path, monkeypatch)
    example = Path(__file__).resolve().parents[1] / "examples" / "just-do-it.yaml"
    (workdir / "ok.yaml").write_text(example.read_text("utf-8"), "utf-8")
    return workdir
