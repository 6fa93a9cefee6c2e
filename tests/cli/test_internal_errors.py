"""A bug of ours still ends in one line and exit 1, never a traceback; DOTS_DEBUG shows it."""

from pathlib import Path

import pytest
from click.testing import CliRunner

import maturity
from maturity.cli.main import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mid-size.yaml"


def _boom(*args, **kwargs):
    raise RuntimeError("something we did not expect")


def test_unexpected_exception_is_one_line(monkeypatch):
    monkeypatch.delenv("DOTS_DEBUG", raising=False)
    monkeypatch.setattr(maturity, "assess", _boom)
    result = CliRunner().invoke(cli, ["assess", str(EXAMPLE)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("error: internal error: RuntimeError: something we did not expect\n"
                             "  hint: this is a bug in dots; run again with DOTS_DEBUG=1 and "
                             "report the traceback\n")


def test_dots_debug_lets_the_exception_through(monkeypatch):
    monkeypatch.setenv("DOTS_DEBUG", "1")
    monkeypatch.setattr(maturity, "assess", _boom)
    result = CliRunner().invoke(cli, ["assess", str(EXAMPLE)])
    assert isinstance(result.exception, RuntimeError)


@pytest.mark.parametrize("threshold, message, hint", [
    ("0.00001", "the rule engine cannot compare with 1e-05",
     "use a threshold of at least 0.0001 (in size), written without an exponent"),
    ("100000000000000000.0", "the number 1e+17 is too large for the rule engine to compare exactly",
     "numbers from -9,007,199,254,740,992 to 9,007,199,254,740,992 are compared exactly; use a "
     "smaller unit")])
def test_rule_threshold_the_engine_cannot_read_is_refused(tmp_path, threshold, message, hint):
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "pack: {id: fx, label: Fx, extends: default}\n"
        "rules:\n"
        "  - id: x.tiny\n"
        "    because: tiny\n"
        f"    when: {{fact: brand.advocates_pct, gte: {threshold}}}\n"
        "    then: {findings: [{id: tiny, severity: info, message: tiny}]}\n", "utf-8")
    result = CliRunner().invoke(cli, ["assess", str(EXAMPLE), "--rules", str(pack)])
    assert result.exit_code == 1
    assert result.stderr == f"error: {pack}:5:44: {message}\n  hint: {hint}\n"
