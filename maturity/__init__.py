"""Connect the Dots: a rules-engine maturity model and recommender for social recruitment
marketing. The command line (`dots`) uses only what is listed in `__all__`."""

from importlib.metadata import PackageNotFoundError, version as _version

from .assess import Assessment, ElementResult, Evidence, assess
from .errors import DataError, EngineError, MaturityError, OutputError, Problem
from .model import Model
from .organisation import Answer, Organisation, load_facts, load_organisation
from .pack import builtin_packs, load_pack
from .questionnaire import facts_table, facts_template
from .recommend import Step, next_dot, roadmap
from .files import check_distinct_outputs, check_output_path, write_atomic
from .render import LAYOUTS, output_format, render, render_bytes, to_dot
from .schedule import parse_start
from .schema import SCHEMAS, schema_text
from .report import (assessment_data, assessment_text, next_data, next_text, roadmap_data,
                     roadmap_text, to_json)

# Checking, testing and starting packs (`dots rules ...`, `dots init`) are imported when first
# asked for, so that every other command starts without them (docs/performance.md).
_LAZY = {"check_pack": "checks", "pack_warnings": "checks", "init_pack": "scaffold",
         **{name: "testing" for name in ("CaseResult", "Difference", "SuiteResult", "check_tests",
                                          "results_data", "results_text", "run_tests")}}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'maturity' has no attribute '{name}'")
    from importlib import import_module
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # asked once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


try:
    __version__ = _version("connect-the-dots")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "Answer", "Assessment", "DataError", "ElementResult", "EngineError", "Evidence", "MaturityError",
    "Model", "Organisation", "OutputError", "Problem", "Step", "__version__", "assess",
    "assessment_data", "assessment_text", "builtin_packs", "check_distinct_outputs", "check_output_path", "facts_table", "facts_template", "load_facts", "load_organisation", "load_pack",
    "next_data", "next_dot", "next_text", "output_format", "render", "render_bytes", "roadmap", "roadmap_data",
    "roadmap_text", "to_dot", "to_json", "write_atomic", "parse_start",
    # pack test cases (dots rules test)
    "CaseResult", "Difference", "SuiteResult", "check_tests", "results_data", "results_text",
    "run_tests",
    # checking and starting packs (dots rules check, dots schema, dots init)
    "SCHEMAS", "check_pack", "init_pack", "pack_warnings", "schema_text",
    # the picture's layouts (dots render --layout, dots report)
    "LAYOUTS",
]
