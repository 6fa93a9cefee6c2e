"""Connect the Dots: a rules-engine maturity model and recommender for social recruitment
marketing. The command line (`dots`) uses only what is listed in `__all__`."""

from importlib.metadata import PackageNotFoundError, version as _version

from .assess import Assessment, ElementResult, Evidence, assess
from .checks import check_pack, pack_warnings
from .errors import DataError, EngineError, MaturityError, OutputError, Problem
from .model import Model
from .organisation import Answer, Organisation, load_facts, load_organisation
from .pack import builtin_packs, load_pack
from .questionnaire import facts_table, facts_template
from .recommend import Step, next_dot, roadmap
from .render import (LAYOUTS, check_output_path, output_format, render, render_bytes, to_dot,
                     write_atomic)
from .scaffold import init_pack
from .schedule import parse_start
from .schema import SCHEMAS, schema_text
from .report import (assessment_data, assessment_text, next_data, next_text, roadmap_data,
                     roadmap_text, to_json)
from .testing import (CaseResult, Difference, SuiteResult, check_tests, results_data,
                      results_text, run_tests)

try:
    __version__ = _version("connect-the-dots")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "Answer", "Assessment", "DataError", "ElementResult", "EngineError", "Evidence", "MaturityError",
    "Model", "Organisation", "OutputError", "Problem", "Step", "__version__", "assess",
    "assessment_data", "assessment_text", "builtin_packs", "check_output_path", "facts_table", "facts_template", "load_facts", "load_organisation", "load_pack",
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
