"""Heavy libraries stay out of the commands that do not need them (working agreement, 7):
`dots assess` of a YAML file imports neither openpyxl, ruamel.yaml nor pexpect."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("openpyxl", "ruamel", "ruamel.yaml", "pexpect")

SCRIPT = f"""
import atexit, sys
atexit.register(lambda: print("loaded:", sorted(m for m in {HEAVY!r} if m in sys.modules)))
from maturity.cli.main import main
sys.argv = ["dots"] + sys.argv[1:]
main()
"""


def loaded(tmp_path: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, "-c", SCRIPT, *args], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1]


def test_assess_of_a_yaml_file_imports_no_heavy_library(tmp_path):
    example = str(ROOT / "examples" / "mid-size.yaml")
    assert loaded(tmp_path, "assess", example) == "loaded: []"


def test_a_workbook_is_read_with_openpyxl(tmp_path):
    # The check above would pass vacuously if nothing could load openpyxl.
    assert loaded(tmp_path, "facts", "--template", "-o", "c.xlsx") == "loaded: ['openpyxl']"
