"""Starting a new rule pack that extends another (`dots init`).

The new folder holds `pack.yaml` (the pack's identity and the pack it extends), `rules.yaml`
(one added fact, one rule that uses it, one test case: every field commented) and
`pack.schema.json`, a copy of the installed schema that the `# yaml-language-server: $schema=`
line of each YAML file points to, so that editors check the files as you type, offline. The
copy is generated, not maintained: `dots schema pack -o FOLDER/pack.schema.json` refreshes it.

The pack is made whole or not at all: the files are written into a temporary folder beside
the new one, loaded as a pack, and only then moved into place (into an existing empty folder
they are written directly, and removed again if anything fails).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path

from . import pack, yamlio
from .errors import OutputError
from .schema import schema_text

SCHEMA_FILE = "pack.schema.json"


def pack_id_for(name: str) -> str:
    """A valid pack id made from a folder name: `Acme Recruiting-2` gives `acme_recruiting_2`."""
    ident = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    ident = re.sub(r"^[0-9_]+", "", ident)
    return ident[:64].rstrip("_") or "my_pack"


def init_pack(folder: Path | str, extends: str = pack.DEFAULT_PACK) -> list[Path]:
    """Make a new pack in `folder` (which must not exist, or be empty) extending `extends`, a
    built-in pack name or a pack folder. Returns the files written, in order."""
    folder = Path(folder)
    shown = yamlio.display_path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError("the folder exists and is not empty" if folder.is_dir()
                          else "a file of that name exists",
                          "choose a new folder; dots init never replaces files", shown)
    where = folder.resolve()
    if not where.parent.is_dir():
        raise OutputError("the folder for the new pack does not exist", "create it first", shown)
    base = pack.load_pack(extends)  # a base that does not load is reported as it is
    if Path(extends).exists():
        extends = Path(os.path.relpath(Path(extends).resolve(), where)).as_posix()
    ident = pack_id_for(where.name)
    label = _label(where.name)
    typed = str(folder) if re.fullmatch(r"[\w./-]+", str(folder)) else "FOLDER"  # for comments
    oneline = extends.replace("\n", " ")
    files = {
        "pack.yaml": _PACK_YAML.format(id=yamlio.quote(ident), label=yamlio.quote(label), base=yamlio.quote(extends),
                                       description=yamlio.quote(f"{label}'s changes to the '{oneline}' model."),
                                       name=typed, base_name=oneline),
        # The added items are about the base's last element: the model is data, so no id is
        # assumed here (in the default model the last is engagement, which referrals are part of).
        "rules.yaml": _rules_yaml(ident, oneline, [e.id for e in base.elements]),
        SCHEMA_FILE: schema_text("pack"),
    }
    try:
        if folder.is_dir():  # empty: the files go in, and are taken out again on failure
            _write_pack(folder, files)
        else:  # made beside it (with mkdir, so with the usual permissions), then moved in place
            tmp = where.parent / f".{where.name}.{secrets.token_hex(6)}.tmp"
            tmp.mkdir()
            try:
                _write_pack(tmp, files)
                os.replace(tmp, folder)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    except OSError as exc:
        raise OutputError(f"cannot write the pack: {exc.strerror}", "nothing was written",
                          shown) from None
    return [folder / name for name in files]


def _write_pack(target: Path, files: dict[str, str]) -> None:
    """Write `files` into the folder `target` and load them as a pack; on any failure, remove
    the files written, so that `target` is as it was."""
    written: list[Path] = []
    try:
        for name, text in files.items():
            path = target / name
            with open(path, "x", encoding="utf-8") as f:  # "x": never replaces a file
                written.append(path)
                f.write(text)
        pack.load_pack(target)  # what is written must load
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def _comment(line: str, column: int, comment: str) -> str:
    """`line` with `# comment` from `column` on (or one space after it), and a newline."""
    return f"{line.ljust(column - 1) if len(line) < column - 1 else line + ' '}# {comment}\n"


def _element_list(elements: list[str]) -> str:
    """Comment lines naming the elements, wrapped to fit beside the fields."""
    lines, line = [], ""
    for n, ident in enumerate(elements):
        word = ident + ("," if n < len(elements) - 1 else "")
        if line and len(line) + 1 + len(word) > 58:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "".join(" " * 29 + f"#   {text}\n" for text in lines)


def _label(name: str) -> str:
    words = re.sub(r"[-_\s]+", " ", name).strip()
    return (words[:1].upper() + words[1:]) if words else "My pack"


_PACK_YAML = """\
# yaml-language-server: $schema={schema}
# A rule pack that changes the '{base_name}' pack: everything in it applies, with what the
# other .yaml files in this folder add, change ('override: true') or take out ('remove:').
# From the folder where 'dots init' was run:
#   dots rules check {name}      lists every problem, with file, line and column
#   dots rules test {name}       runs the test cases (those of '{base_name}' too)
#   dots assess FACTS --rules {name}
# {schema} is a copy of the schema of the installed dots, for editors; refresh it after
# upgrading dots with: dots schema pack -o {name}/{schema}
pack:
  # The pack's id: lower-case letters, digits and '_', starting with a letter.
  id: {id}
  # The pack's name, shown in reports.
  label: {label}
  # What the pack is for (optional).
  description: {description}
  # Your version of the pack, as text (optional).
  version: "0.1"
  # The pack this one changes: a built-in pack name, or a folder relative to this file.
  extends: {base}
""".replace("{schema}", SCHEMA_FILE)


def _rules_yaml(ident: str, base: str, elements: list[str]) -> str:
    element = elements[-1]

    def about(indent: int, comment: str) -> str:
        return _comment(" " * indent + f"element: {element}", 30, comment)
    return f"""\
# yaml-language-server: $schema={SCHEMA_FILE}
# What this pack adds to '{base}': one fact, one rule that uses it, and one test case.
# Every .yaml file in this folder is part of the pack: split them as you like. The guide
# "Extending the model" (docs/extending.md) shows how to change a threshold, switch a rule
# off, and add elements, edges and stages.

facts:                       # questions, added to those of '{base}'
  # A new fact: one question the consultant asks the organisation.
  - id: {ident}.referral_hires_pct    # unique id: 'area.name', lower-case, '_' between words
{about(4, "the element (dot) it is evidence about (optional), one of:")}\
{_element_list(elements)}\
    type: integer            # boolean, integer, number, choice (one of 'values') or choices (several)
    min: 0                   # the smallest answer allowed (integer and number facts)
    max: 100                 # the largest answer allowed (integer and number facts)
    # The question as the consultant asks it (shown by 'dots facts' and in facts templates).
    question: What share of last year's hires came through employee referrals, in per cent?
    # How to answer it, and what counts as evidence (optional).
    help: From the source report of the applicant tracking system; leave it unanswered when the source is not tracked.

rules:                       # rules, added to those of '{base}'
  # A new rule: when the tests under 'when' hold, it concludes what is under 'then'.
  - id: {ident}.few_referral_hires    # unique id of the rule
    # One sentence: why the rule concludes what it does (shown as the reason).
    because: Few hires through referrals means employees do not yet act as advocates.
    when:                    # all: (every test), any: (at least one), not:, or a single test
      all:                   # every test in this list must hold
        - fact: {ident}.referral_hires_pct    # the subject: a fact (or count, status, done, disconnected, stage)
          lt: 10             # one operator: equals, not_equals, lt, lte, gt, gte, one_of, contains, present
    then:                    # conclusions: status, stage, findings and advice
      findings:              # what the assessment reports
        - id: {ident}.few_referral_hires    # unique finding id; test cases expect it by this id
          severity: medium   # high, medium, low or info
{about(10, "the element it is about (optional)")}\
          # What the consultant reads in the assessment.
          message: Fewer than one hire in ten comes through an employee referral.
      advice:                # what to do about it
        - id: {ident}.ask_for_referrals    # unique advice id
{about(10, "the element it helps (optional)")}\
          # The action, as the organisation should take it.
          action: Ask employees to share open roles, and thank those whose referrals are hired.

tests:                       # test cases, run with those of '{base}'
  # A test case, run by 'dots rules test': facts in, what the assessment must say out.
  - id: {ident}.few_referral_hires    # unique id of the case
    # What the case shows (optional).
    description: An organisation that hires 4% through referrals gets the finding and the advice.
    facts:                   # answers, as in an organisation's facts file
      {ident}.referral_hires_pct: 4    # an answer to the new fact: below 10
    expect:                  # only what is given here is compared
      findings: [{ident}.few_referral_hires]    # at least these findings
      advice: [{ident}.ask_for_referrals]       # at least this advice
"""
