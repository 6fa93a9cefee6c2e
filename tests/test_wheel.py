"""The wheel is what users install: build it, install it into a fresh virtual environment, and
run `dots` from another folder, so that nothing can come from this source tree.

Slow (a minute or more: it builds the wheel and installs the dependencies into a new
environment, from pip's cache or PyPI) but part of `make test`. Deselect it with -m "not slow".
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "mid-size.yaml"
# The durable-rules requirement pyproject.toml pins, such as "durable-rules==2.0.28".
DURABLE_RULES = re.search(r'"(durable-rules[^"]*)"',
                          (ROOT / "pyproject.toml").read_text(encoding="utf-8")).group(1)

# Left out of the copy the wheel is built from: virtual environments, build output, caches.
IGNORE = shutil.ignore_patterns(".git", ".venv", ".venv-*", "venv", "build", "dist", "out",
                                "*.egg-info", "__pycache__", "*.pyc", ".pytest_cache",
                                ".hypothesis")

CHECK_INSTALLED = """
import sys
from importlib import resources
from pathlib import Path
import maturity, maturity.cli, maturity.rules
prefix = Path(sys.prefix).resolve()
for module in (maturity, maturity.cli, maturity.rules):
    where = Path(module.__file__).resolve()
    assert prefix in where.parents, f"{module.__name__} imported from {where}, not from {prefix}"
pack = resources.files("maturity.rules") / "default" / "pack.yaml"
assert pack.is_file(), f"the default pack is not in the installed package: {pack}"
print("ok", maturity.__version__)
"""


def _clean_env() -> dict[str, str]:
    """This process's environment, without what would point Python at another environment."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP",
                        "PYTHONSAFEPATH", "__PYVENV_LAUNCHER__")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def _run(args: list[str | Path], cwd: Path, what: str, timeout: int = 900,
         env: dict[str, str] | None = None) -> str:
    """Run a command (with `env` added to a clean environment); on failure (or timeout), fail
    the test with its output."""
    command = [str(a) for a in args]
    try:
        done = subprocess.run(command, cwd=cwd, env={**_clean_env(), **(env or {})},
                              capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{what}: timed out after {timeout} s: {' '.join(command)}\n"
                    f"--- stdout ---\n{exc.stdout or ''}\n--- stderr ---\n{exc.stderr or ''}")
    if done.returncode != 0:
        pytest.fail(f"{what}: exit status {done.returncode}: {' '.join(command)}\n"
                    f"(in {cwd})\n--- stdout ---\n{done.stdout}\n--- stderr ---\n{done.stderr}")
    return done.stdout


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_source_tree(tmp_path: Path) -> None:
    name = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["organisation"]["name"]

    # Build from a copy, so that the build leaves nothing in (and takes nothing stale from)
    # the source tree's build/ or *.egg-info.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=IGNORE)
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, source], tmp_path,
         "building the wheel")
    wheels = sorted(dist.glob("connect_the_dots-*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {dist}, found {[w.name for w in dist.iterdir()]}"

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], tmp_path, "making a virtual environment")
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    if sys.version_info >= (3, 13):
        # What README tells a pip user on 3.13: durable-rules built with the flag, not cached.
        _run([python, "-m", "pip", "install", "--quiet", "--no-cache-dir", DURABLE_RULES],
             tmp_path, "building durable-rules for Python 3.13",
             env={"CPPFLAGS": "-DPyEval_CallObject=PyObject_CallObject"})
    _run([python, "-m", "pip", "install", "--quiet", wheels[0]], tmp_path,
         "installing the wheel")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = _run([bindir / "dots", "assess", EXAMPLE], elsewhere, "dots assess from the wheel",
               timeout=120)
    assert name in out, f"`dots assess {EXAMPLE}` does not mention {name!r}:\n{out}"

    out = _run([python, "-c", CHECK_INSTALLED], elsewhere, "importing the installed package",
               timeout=120)
    assert out.startswith("ok"), out
