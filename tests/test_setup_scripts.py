"""scripts/find-python and scripts/ensure-durable-rules: set-up picks Python 3.10 to 3.13 and
says clearly when there is none. Interpreters of other versions are played by small stand-ins
that run this Python with `sys.version_info` changed, so every version is tested here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIND_PYTHON = ROOT / "scripts" / "find-python"
NEED = ("Connect the Dots needs Python 3.10, 3.11, 3.12 or 3.13 (its rule engine, durable-rules "
        "2.0.28, builds and runs only on those)")


def stand_in(folder: Path, name: str, minor: int) -> Path:
    """An executable `name` in `folder` that behaves as Python 3.`minor` for `-c CODE`."""
    path = folder / name
    path.write_text(
        "#!/bin/sh\n"
        f'exec {sys.executable} -c "import sys; sys.version_info = (3, {minor}, 0, \'final\', 0); '
        f'sys.executable = \'{path}\'; exec(sys.argv[1])" "$2"\n', encoding="utf-8")
    path.chmod(0o755)
    return path


def find_python(folder: Path, *args: str, python: str = "") -> subprocess.CompletedProcess:
    """Run find-python with only `folder` on PATH (and no pyenv), PYTHON set when given."""
    env = {"PATH": str(folder), "PYENV_ROOT": str(folder / "no-pyenv"), "HOME": str(folder)}
    if python:
        env["PYTHON"] = python
    return subprocess.run(["/bin/sh", str(FIND_PYTHON), *args], env=env, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("minor", [10, 11, 12, 13])
def test_find_python_takes_every_supported_version(tmp_path: Path, minor: int):
    # Debian 13 has only python3.13 and python3: either is found.
    for name in (f"python3.{minor}", "python3"):
        folder = tmp_path / name
        folder.mkdir()
        python = stand_in(folder, name, minor)
        done = find_python(folder)
        assert (done.returncode, done.stdout, done.stderr) == (0, f"{python}\n", "")


def test_find_python_prefers_the_newest(tmp_path: Path):
    for minor in (10, 11, 12, 13):
        stand_in(tmp_path, f"python3.{minor}", minor)
    stand_in(tmp_path, "python3", 11)
    done = find_python(tmp_path)
    assert (done.returncode, done.stdout) == (0, f"{tmp_path / 'python3.13'}\n")


@pytest.mark.parametrize("minor", [9, 14])
def test_find_python_refuses_other_versions_in_one_line(tmp_path: Path, minor: int):
    stand_in(tmp_path, "python3", minor)
    done = find_python(tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith(f"error: {NEED}; install one") and done.stderr.count("\n") == 1


@pytest.mark.parametrize("minor", [9, 14])
def test_find_python_says_why_the_given_python_will_not_do(tmp_path: Path, minor: int):
    python = stand_in(tmp_path, "python", minor)
    done = find_python(tmp_path, python=str(python))
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (f"error: PYTHON={python} is Python 3.{minor}; {NEED}; "
                           "run make PYTHON=/path/to/python3.x\n")


def test_find_python_all_lists_one_python_per_version(tmp_path: Path):
    for minor in (9, 12, 13, 14):
        stand_in(tmp_path, f"python3.{minor}", minor)
    stand_in(tmp_path, "python3", 12)
    pyenv = tmp_path / "no-pyenv" / "versions" / "3.11.7" / "bin"
    pyenv.mkdir(parents=True)
    stand_in(pyenv, "python3.11", 11)
    done = find_python(tmp_path, "--all")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(tmp_path / "python3.13"), str(tmp_path / "python3.12"),
                                   str(pyenv / "python3.11")]


def test_requires_python_says_what_find_python_takes(tmp_path: Path):
    from packaging.specifiers import SpecifierSet

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    requires = SpecifierSet(re.search(r'^requires-python = "([^"]+)"', pyproject, re.M).group(1))
    for minor in range(6, 16):
        folder = tmp_path / str(minor)
        folder.mkdir()
        stand_in(folder, "python3", minor)
        taken = find_python(folder).returncode == 0
        assert taken == (f"3.{minor}.0" in requires), f"Python 3.{minor}"


def test_ensure_durable_rules_does_nothing_when_it_imports():
    # This interpreter runs the tests, so durable-rules imports: nothing is built or installed.
    done = subprocess.run(["/bin/sh", str(ROOT / "scripts" / "ensure-durable-rules"),
                           sys.executable], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PIP_NO_INDEX": "1"})
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
