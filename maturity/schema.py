"""The JSON Schemas shipped with the tool, and validation of YAML documents against them.

The schemas in ``maturity.rules/schema/`` are the one source of truth for file shape: editors
use them through the ``# yaml-language-server: $schema=`` line, and the loader uses them here.
"""

from __future__ import annotations

import dataclasses
import json
import re
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Callable

from .errors import Problem, did_you_mean
from .yamlio import Document

if TYPE_CHECKING:
    import jsonschema
    from jsonschema.exceptions import ValidationError

SCHEMAS = {"pack": "pack.schema.json", "organisation": "organisation.schema.json",
           "survey": "survey.schema.json",
           "compare": "compare.schema.json",  # the output of dots compare --format json
           "assessment": "assessment.schema.json"}  # of dots assess --format json, as compare reads it

_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "text", "number": "a number",
               "integer": "a whole number", "boolean": "true or false", "null": "nothing"}


def schema_text(kind: str) -> str:
    """The text of a shipped schema, exactly as it is in the package."""
    return (resources.files("maturity.rules") / "schema" / SCHEMAS[kind]).read_text("utf-8")


@lru_cache(maxsize=None)
def _schema(kind: str) -> dict:
    return json.loads(schema_text(kind))


@lru_cache(maxsize=None)
def _validator(kind: str) -> jsonschema.protocols.Validator:
    import jsonschema
    schema = _schema(kind)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def validate(doc: Document, kind: str) -> list[Problem]:
    """Every schema violation in `doc`, one problem each, located in the file."""
    if conforms(doc.data, kind):
        return []
    errors = sorted(_validator(kind).iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path)))
    return [(kind == "pack" and _labels_problem(doc, e)) or _to_problem(doc, _deepest(e, _schema(kind)))
            for e in errors]


LABELS_HINT = "labels map values of the fact to the words shown for them, such as {x_twitter: X (Twitter)}"


def _labels_problem(doc: Document, error: ValidationError) -> Problem | None:
    """A fact's `labels` that are not a mapping of value ids to text, said in their own words
    with a hint (a pack file's only mapping that people fill with words of their own)."""
    path = tuple(error.absolute_path)
    if path[:1] != ("facts",) or path[2:3] != ("labels",):
        return None
    if len(path) == 4 and error.validator == "minLength":
        return doc.problem(path, f"the label of '{path[3]}' is blank",
                           f"write the words to show for '{path[3]}', or leave its label out to "
                           "show the id")
    problem = _to_problem(doc, error)
    if problem.hint:
        return problem
    if len(path) == 4 and isinstance(error.instance, (bool, int, float)):
        return dataclasses.replace(problem, hint="write the label in quotes, such as 'Yes' or '10': "
                                                 "YAML reads a bare yes, no, on, off or a number as no text")
    return dataclasses.replace(problem, hint=LABELS_HINT)


def validation_errors(instance: Any, kind: str) -> list[ValidationError]:
    """Every schema violation in plain data (no positions), by where it is."""
    return sorted(_validator(kind).iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))


def _deepest(error: ValidationError, root: dict) -> ValidationError:
    """For 'oneOf'/'anyOf' failures, the alternative that came closest explains the problem best."""
    from jsonschema.exceptions import best_match
    while error.context:
        if _only_types(error):
            break  # "expected one of these types": said by _to_problem from the whole error
        pool = list(error.context)
        # Alternatives for another type of value do not explain it: [1, 2] given where text or
        # a list of text is wanted is a list with a bad item, not a wrong boolean.
        wrong_type = {e.relative_schema_path[0] for e in pool if list(e.relative_schema_path)[1:] == ["type"]}
        pool = [e for e in pool if e.relative_schema_path[0] not in wrong_type] or pool
        # A mapping is explained by the one alternative that knows most of its keys, if there
        # is one: {fact: x, equal: 1} is a test with a misspelt operator, not a bad 'all:'.
        branch = _branch_by_keys(error, root)
        if branch is not None:
            pool = [e for e in pool if e.relative_schema_path[0] == branch] or pool
        # Prefer a branch that got past the shape checks on the keys this value actually has.
        candidates = [e for e in pool if e.validator not in ("oneOf", "anyOf") or e.context]
        best = best_match(candidates or pool)
        if best is None or best is error:
            break
        error = best
    return error


def _only_types(error: ValidationError) -> bool:
    return error.validator in ("oneOf", "anyOf") and bool(error.context) and all(
        e.validator == "type" and len(e.relative_schema_path) == 2 for e in error.context)


def _branch_by_keys(error: ValidationError, root: dict) -> int | None:
    """The alternative of a oneOf/anyOf whose properties name most of the mapping's keys,
    when exactly one does best and it names at least one."""
    if error.validator not in ("oneOf", "anyOf") or not isinstance(error.instance, dict):
        return None
    scores = []
    for branch in error.validator_value:
        while isinstance(branch, dict) and isinstance(branch.get("$ref"), str) \
                and branch["$ref"].startswith("#/"):
            target: Any = root
            for part in branch["$ref"][2:].split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
            branch = target
        known = branch.get("properties", {}) if isinstance(branch, dict) else {}
        scores.append(sum(1 for k in error.instance if k in known))
    top = max(scores, default=0)
    return scores.index(top) if top and scores.count(top) == 1 else None


def _to_problem(doc: Document, error: ValidationError) -> Problem:
    path = tuple(error.absolute_path)
    schema, instance = error.schema, error.instance
    if _only_types(error):
        wants = [w for e in error.context
                 for w in ([e.validator_value] if isinstance(e.validator_value, str) else e.validator_value)]
        names = [_TYPE_NAMES.get(w, w) for w in wants]
        either = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        return doc.problem(path, f"expected {either}, got {_describe(instance)}")
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = set(schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed)
        if extra:
            key = extra[0]
            return doc.problem(path + (key,), f"unknown key '{key}'",
                               did_you_mean(key, allowed) or f"allowed here: {', '.join(sorted(allowed))}",
                               key=True)
    if error.validator == "required":
        return doc.problem(path, error.message.replace("is a required property", "is missing").strip(),
                           "add it")
    if error.validator == "type":
        want = error.validator_value
        wants = [want] if isinstance(want, str) else list(want)
        return doc.problem(path, f"expected {' or '.join(_TYPE_NAMES.get(w, w) for w in wants)}, "
                                 f"got {_describe(instance)}")
    if error.validator == "enum":
        return doc.problem(path, f"{_short(instance)} is not allowed here",
                           did_you_mean(str(instance), map(str, error.validator_value))
                           or f"use one of: {', '.join(map(str, error.validator_value))}")
    if error.validator == "const":
        return doc.problem(path, f"{_short(instance)} is not allowed here",
                           f"use {_short(error.validator_value)}")
    if error.validator == "maxLength" and isinstance(instance, str):
        return doc.problem(path, f"{_short(instance)} is longer than {error.validator_value} characters")
    if error.validator == "pattern":
        what, hint = _PATTERNS.get(error.validator_value, _ID_PATTERN)
        if "propertyNames" in error.schema_path and isinstance(instance, str):
            # a key of the mapping at `path`: located at that key, not at the mapping
            return doc.problem(path + (instance,), f"{_short(instance)} is not {what}", hint, key=True)
        return doc.problem(path, f"{_short(instance)} is not {what}", hint)
    if error.validator in ("minProperties", "maxProperties") and path and isinstance(instance, dict):
        return doc.problem(path, f"expected one subject and one operator, got {len(instance)} key(s)"
                           if error.validator == "maxProperties" or len(instance) == 1
                           else error.message)
    if error.validator == "oneOf" and isinstance(instance, dict):
        return doc.problem(path, f"cannot tell what this is: keys {', '.join(map(str, instance))}",
                           "a condition is all:, any:, not:, or one subject (fact, count, status, "
                           "done, disconnected, stage) with one operator")
    return doc.problem(path, error.message)


_ID_PATTERN = ("a valid id", "use lower-case letters, digits and '_' (and '.' between parts of a "
                             "fact id), starting with a letter")
_PATTERNS = {  # patterns of the shipped schemas that are not pack ids
    "^#[0-9a-fA-F]{6}$": ("a colour", "write a colour as #rrggbb, such as #6aa84f"),
    "^[a-z0-9][a-z0-9_-]*$": ("a valid id", "use lower-case letters, digits, '_' and '-', starting "
                                            "with a letter or digit"),
}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if value is None:
        return "nothing"
    if isinstance(value, (dict, list)):
        return _TYPE_NAMES["object" if isinstance(value, dict) else "array"]
    return _short(value)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


# A quick "is it valid?" -------------------------------------------------------------------
# jsonschema takes ~70 ms to import and ~100 ms to check the default pack, and nearly every
# file read is valid. So a document is first checked by the small checker below: each schema is
# turned once into plain Python tests. It knows the keywords our schemas use and applies each
# exactly as jsonschema does (draft 2020-12); on any other keyword or value it gives up. Only a
# document it finds valid skips jsonschema; every other one goes to jsonschema, which finds and
# words the errors, so messages never come from this checker. tests/test_schema_quick.py
# holds it to jsonschema's verdict.

class _Unsure(Exception):
    pass


_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description",
                          "default", "examples", "deprecated", "readOnly", "writeOnly"})
_OBJECT_KEYS = frozenset({"type", "properties", "required", "additionalProperties",
                          "propertyNames", "minProperties", "maxProperties"})
_STRING_KEYS = frozenset({"type", "pattern", "minLength", "maxLength", "enum", "const"})
_TEXTS = 20_000  # texts whose verdict a string check keeps (then it starts again)

Check = Callable[[Any], bool]


def conforms(instance: Any, kind: str) -> bool:
    """True when `instance` is certainly valid against the schema `kind` (False: not sure)."""
    try:
        return _checker(kind)(instance)
    except (_Unsure, RecursionError):
        return False


def part_conforms(instance: Any, kind: str, path: tuple[str, ...]) -> bool:
    """`conforms` for the piece of the schema `kind` at `path` (keys into the schema), on its own
    (False: not sure, or no such piece)."""
    try:
        return _part_checker(kind, path)(instance)
    except (_Unsure, RecursionError):
        return False


@lru_cache(maxsize=None)
def _part_checker(kind: str, path: tuple[str, ...]) -> Check:
    root = _schema(kind)
    part: Any = root
    for key in path:
        if not isinstance(part, dict) or key not in part:
            raise _Unsure(path)
        part = part[key]
    return _Checks(root).build(part)


def passes_every(part: Any, kind: str) -> tuple[type, ...]:
    """The Python types all of whose values pass `part`, a piece of the schema `kind`, whatever
    they are (text, for an answer in a facts file)."""
    if part is True:
        return (str, bool, int, float, dict, list, type(None))
    return _Checks(_schema(kind))._plain(part, 0)


@lru_cache(maxsize=None)
def _checker(kind: str) -> Check:
    schema = _schema(kind)
    return _Checks(schema).build(schema)


def _is_number(i: Any) -> bool:
    return isinstance(i, (int, float)) and not isinstance(i, bool)


_TYPES: dict[str, Check] = {  # as jsonschema's type checker: true is not a number; 1.0 is an integer
    "string": lambda i: isinstance(i, str),
    "object": lambda i: isinstance(i, dict),
    "array": lambda i: isinstance(i, list),
    "boolean": lambda i: isinstance(i, bool),
    "null": lambda i: i is None,
    "number": _is_number,
    "integer": lambda i: (isinstance(i, int) and not isinstance(i, bool))
    or (isinstance(i, float) and i.is_integer()),
}


# The Python types all of whose values a JSON type takes (integer: no type does, 1.0 is one).
_PLAIN_TYPES = {"string": (str,), "boolean": (bool,), "null": (type(None),), "number": (int, float),
                "object": (dict,), "array": (list,)}


def _equal(a: Any, b: Any) -> bool:
    # As jsonschema's equality: true is not 1; a list or mapping is not equal to a plain value.
    plain = [v is None or isinstance(v, (str, int, float)) for v in (a, b)]
    if not all(plain):
        if any(plain) and all(v is None or isinstance(v, (str, int, float, list, dict)) for v in (a, b)):
            return False
        raise _Unsure(a)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


class _Checks:
    """Turns one schema (and what it refers to) into a test of an instance."""

    def __init__(self, root: dict) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def build(self, schema: Any) -> Check:
        if schema is True or schema is False:
            return lambda i, valid=schema: valid
        if not isinstance(schema, dict):
            raise _Unsure(schema)
        checks = []
        keys = set(schema) - _ANNOTATIONS
        # The keywords of a mapping's (or a text's) shape in one function, the others after it.
        for shape, kind, make_shape in ((_OBJECT_KEYS, "object", self._object),
                                        (_STRING_KEYS, "string", self._string)):
            if keys & shape and schema.get("type", kind) == kind:
                checks.append(make_shape({k: schema[k] for k in schema if k in shape}))
                keys -= shape
                break
        for key, want in schema.items():
            if key not in keys:
                continue
            make = getattr(self, "k_" + ("ref" if key == "$ref" else key), None)
            if make is None or key.startswith("$") and key != "$ref":
                raise _Unsure(key)
            checks.append(make(want, schema))
        return self._every(checks)

    # The two shapes most values of a file are checked against, each as one function: their
    # keywords are each applied as k_... would apply it, the quick ones first (a conjunction:
    # the order changes no verdict; a document found valid has passed every one).

    def _object(self, schema: dict) -> Check:
        """A mapping's shape: type object, properties, required, additionalProperties,
        propertyNames, min/maxProperties."""
        typed = "type" in schema
        props = {k: self.build(sub) for k, sub in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        if not isinstance(schema.get("required", []), list) or \
                not all(isinstance(k, str) for k in required):
            raise _Unsure("required")
        least, most = schema.get("minProperties", 0), schema.get("maxProperties")
        extra = schema.get("additionalProperties", True)
        closed = extra is False
        extra_check = None if extra is True or closed else self.build(extra)
        known = frozenset(props)
        names = self.build(schema["propertyNames"]) if "propertyNames" in schema else None
        get = props.get

        def mapping(i: Any) -> bool:
            if not isinstance(i, dict):
                return not typed
            n = len(i)
            if n < least or most is not None and n > most:
                return False
            for key in required:
                if key not in i:
                    return False
            if closed and not known.issuperset(i):
                return False
            for key, value in i.items():
                check = get(key)
                if check is not None:
                    if not check(value):
                        return False
                elif extra_check is not None and not extra_check(value):
                    return False
                if names is not None and not names(key):
                    return False
            return True
        return mapping

    def _string(self, schema: dict) -> Check:
        """A text's shape: type string, pattern, min/maxLength, enum, const. A pattern's
        verdicts are kept per text (ids repeat throughout a pack), up to _TEXTS of them."""
        typed = "type" in schema
        whole = self._every(([self.k_type("string", schema)] if typed else []) + [
            getattr(self, "k_" + key)(want, schema) for key, want in schema.items()
            if key not in _ANNOTATIONS and key != "type"])
        least, most = schema.get("minLength", 0), schema.get("maxLength")
        if not all(type(n) is int for n in (least, most) if n is not None):
            raise _Unsure("minLength")
        others = [getattr(self, "k_" + key)(schema[key], schema) for key in ("enum", "const")
                  if key in schema]
        other = self._every(others) if others else None
        search = re.compile(schema["pattern"]).search if "pattern" in schema else None
        seen: dict[str, bool] = {}

        def text(i: Any) -> bool:
            if type(i) is not str:
                return whole(i)
            n = len(i)
            if n < least or most is not None and n > most or other is not None and not other(i):
                return False
            if search is None:
                return True
            verdict = seen.get(i)
            if verdict is None:
                if len(seen) >= _TEXTS:
                    seen.clear()
                verdict = seen[i] = search(i) is not None  # jsonschema also uses re.search
            return verdict
        return text

    @staticmethod
    def _every(checks: list[Check]) -> Check:
        """All of `checks`, in turn."""
        if len(checks) == 1:
            return checks[0]

        def every(i: Any, checks: tuple = tuple(checks)) -> bool:
            for check in checks:
                if not check(i):
                    return False
            return True
        return every

    def k_ref(self, ref: str, schema: dict) -> Check:
        if ref not in self.refs:
            if not ref.startswith("#/"):
                raise _Unsure(ref)
            target: Any = self.root
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or part not in target:
                    raise _Unsure(ref)
                target = target[part]
            self.refs[ref] = _pending
            self.refs[ref] = self.build(target)
        refs = self.refs
        if refs[ref] is not _pending:
            return refs[ref]
        return lambda i: refs[ref](i)  # looked up when used: a schema refers to itself

    def k_type(self, want: Any, schema: dict) -> Check:
        names = [want] if isinstance(want, str) else list(want)
        if not all(n in _TYPES for n in names):
            raise _Unsure(want)
        tests = tuple(_TYPES[n] for n in names)
        if len(tests) == 1:
            return tests[0]

        def any_type(i: Any) -> bool:
            for test in tests:
                if test(i):
                    return True
            return False
        return any_type

    def k_enum(self, want: list, schema: dict) -> Check:
        if want and all(type(v) is str for v in want):
            # Text equals only the same text, and nothing of another JSON type is equal to text
            # (as _equal says, without calling it once per value: survey rows check many).
            names = frozenset(want)

            def texts(i: Any) -> bool:
                if type(i) is str:
                    return i in names
                if i is None or type(i) in (bool, int, float, list, dict):
                    return False
                return any(_equal(i, v) for v in want)
            return texts
        return lambda i: any(_equal(i, v) for v in want)

    def k_const(self, want: Any, schema: dict) -> Check:
        return lambda i: _equal(i, want)

    def k_properties(self, want: dict, schema: dict) -> Check:
        props = tuple((k, self.build(sub)) for k, sub in want.items())

        def properties(i: Any) -> bool:
            if isinstance(i, dict):
                for key, check in props:
                    if key in i and not check(i[key]):
                        return False
            return True
        return properties

    def k_additionalProperties(self, want: Any, schema: dict) -> Check:
        if "patternProperties" in schema:
            raise _Unsure("patternProperties")
        known = frozenset(schema.get("properties", {}))
        if want is False:
            return lambda i: not isinstance(i, dict) or known.issuperset(i)
        check = self.build(want)
        return lambda i: not isinstance(i, dict) or all(check(v) for k, v in i.items() if k not in known)

    def k_propertyNames(self, want: Any, schema: dict) -> Check:
        check = self.build(want)
        return lambda i: not isinstance(i, dict) or all(check(k) for k in i)

    def k_required(self, want: list, schema: dict) -> Check:
        return lambda i: not isinstance(i, dict) or all(k in i for k in want)

    def k_minProperties(self, want: int, schema: dict) -> Check:
        return lambda i: not isinstance(i, dict) or len(i) >= want

    def k_maxProperties(self, want: int, schema: dict) -> Check:
        return lambda i: not isinstance(i, dict) or len(i) <= want

    def k_items(self, want: Any, schema: dict) -> Check:
        if "prefixItems" in schema or isinstance(want, list):
            raise _Unsure("prefixItems")
        check = self.build(want)

        def items(i: Any) -> bool:
            if isinstance(i, list):
                for x in i:
                    if not check(x):
                        return False
            return True
        return items

    def k_minItems(self, want: int, schema: dict) -> Check:
        return lambda i: not isinstance(i, list) or len(i) >= want

    def k_maxItems(self, want: int, schema: dict) -> Check:
        return lambda i: not isinstance(i, list) or len(i) <= want

    def k_pattern(self, want: str, schema: dict) -> Check:
        search = re.compile(want).search  # jsonschema also uses re.search
        return lambda i: not isinstance(i, str) or search(i) is not None

    def k_minLength(self, want: int, schema: dict) -> Check:
        return lambda i: not isinstance(i, str) or len(i) >= want

    def k_maxLength(self, want: int, schema: dict) -> Check:
        return lambda i: not isinstance(i, str) or len(i) <= want

    def k_oneOf(self, want: list, schema: dict) -> Check:
        if want and all(isinstance(sub, dict) and set(sub) == {"required"}
                        and isinstance(sub["required"], list)
                        and all(isinstance(k, str) for k in sub["required"]) for sub in want):
            # One of several keys (a test's subject): count the alternatives a mapping meets.
            wanted = tuple(tuple(sub["required"]) for sub in want)
            alone = len(wanted) == 1  # what any other value gets: 'required' passes it

            def one_key(i: Any) -> bool:
                if not isinstance(i, dict):
                    return alone
                passed = 0
                for keys in wanted:
                    for key in keys:
                        if key not in i:
                            break
                    else:
                        passed += 1
                return passed == 1
            return one_key
        checks = tuple(self.build(sub) for sub in want)

        def one_of(i: Any) -> bool:
            passed = 0
            for check in checks:
                if check(i):
                    passed += 1
                    if passed > 1:
                        return False
            return passed == 1
        return one_of

    def k_anyOf(self, want: list, schema: dict) -> Check:
        checks = tuple(self.build(sub) for sub in want)
        # A branch that is only {"type": T} (or a reference to an anyOf with such a branch)
        # passes every value of T's Python types: those values need no other branch tried
        # (text and true/false mostly, in facts files).
        plain = frozenset(t for sub in want for t in self._plain(sub, 0))

        def any_of(i: Any) -> bool:
            if type(i) in plain:
                return True
            for check in checks:
                if check(i):
                    return True
            return False
        return any_of

    def _plain(self, sub: Any, depth: int) -> tuple[type, ...]:
        """The Python types all of whose values pass `sub` whatever they are (see k_anyOf)."""
        if not isinstance(sub, dict) or depth > 8:
            return ()
        keys = set(sub) - _ANNOTATIONS
        if keys == {"type"} and isinstance(sub["type"], str):
            return _PLAIN_TYPES.get(sub["type"], ())
        if keys == {"$ref"} and isinstance(sub["$ref"], str) and sub["$ref"].startswith("#/"):
            target: Any = self.root
            for part in sub["$ref"][2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or part not in target:
                    return ()
                target = target[part]
            return self._plain(target, depth + 1)
        if isinstance(sub, dict) and keys == {"anyOf"} and isinstance(sub["anyOf"], list):
            return tuple(t for b in sub["anyOf"] for t in self._plain(b, depth + 1))
        return ()

    def k_allOf(self, want: list, schema: dict) -> Check:
        checks = tuple(self.build(sub) for sub in want)
        return lambda i: all(check(i) for check in checks)

    def k_not(self, want: Any, schema: dict) -> Check:
        check = self.build(want)
        return lambda i: not check(i)


def _pending(i: Any) -> bool:  # pragma: no cover - replaced before any check runs
    raise _Unsure("unresolved reference")
