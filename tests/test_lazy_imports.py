"""Heavy libraries stay out of the commands that do not need them (working agreement, 7):
`dots assess` of a YAML file imports neither openpyxl, ruamel.yaml nor pexpect, nor the
package's own modules for checking, testing and starting packs (docs/performance.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("openpyxl", "ruamel", "ruamel.yaml", "pexpect")
PACK_ROOMS = ("maturity.checks", "maturity.testing", "maturity.scaffold")

SCRIPT = """
import atexit, sys
atexit.register(lambda: print("loaded:", sorted(m for m in {modules!r} if m in sys.modules)))
from maturity.cli.main import main
sys.argv = ["dots"] + sys.argv[1:]
main()
"""


def loaded(tmp_path: Path, *args: str, modules: tuple[str, ...] = HEAVY) -> str:
    result = subprocess.run([sys.executable, "-c", SCRIPT.format(modules=modules), *args],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1]


def test_assess_of_a_yaml_file_imports_no_heavy_library(tmp_path):
    example = str(ROOT / "examples" / "mid-size.yaml")
    assert loaded(tmp_path, "assess", example) == "loaded: []"


def test_a_workbook_is_read_with_openpyxl(tmp_path):
    # The check above would pass vacuously if nothing could load openpyxl.
    assert loaded(tmp_path, "facts", "--template", "-o", "c.xlsx") == "loaded: ['openpyxl']"


def test_assess_imports_no_module_for_checking_testing_or_starting_packs(tmp_path):
    example = str(ROOT / "examples" / "mid-size.yaml")
    assert loaded(tmp_path, "assess", example, modules=PACK_ROOMS) == "loaded: []"


def test_rules_test_imports_them(tmp_path):
    # The check above would pass vacuously if nothing imported them.
    assert loaded(tmp_path, "rules", "test", modules=PACK_ROOMS) == \
        "loaded: ['maturity.checks', 'maturity.testing']"


def test_the_public_names_imported_when_asked_for_are_there():
    script = ("import maturity\n"
              "from maturity import check_pack, init_pack, run_tests\n"
              "missing = [n for n in maturity.__all__ if not hasattr(maturity, n)]\n"
              "print(missing, check_pack.__module__, init_pack.__module__, run_tests.__module__,\n"
              "      set(maturity.__all__) <= set(dir(maturity)))\n"
              "maturity.no_such_name\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.split() == ["[]", "maturity.checks", "maturity.scaffold",
                                     "maturity.testing", "True"]
    assert result.stderr.splitlines()[-1] == \
        "AttributeError: module 'maturity' has no attribute 'no_such_name'"
