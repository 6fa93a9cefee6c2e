"""The pack cache (maturity/packcache.py): a pack read once is taken from the cache only while
every file it was built from is unchanged, and the cache never changes a result."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import maturity
from conftest import ORG_ACME, TINY_PACK_TEXT, write_org, write_pack, write_text
from maturity import pack as pack_module, packcache
from maturity.report import assessment_data, to_json


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.delenv(packcache.ENV, raising=False)
    return folder / "connect-the-dots" / "packs"


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.pickle")) if cache.is_dir() else []


def no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, reading a pack from its files fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("the pack was read from its files")
    monkeypatch.setattr(pack_module, "_load_layer", refuse)


def report(model: maturity.Model) -> str:
    return to_json(assessment_data(maturity.assess(model, maturity.Organisation("Acme", ORG_ACME))))


def test_a_pack_loaded_again_comes_from_the_cache_and_gives_the_same_results(
        tiny_pack: Path, cache: Path, monkeypatch: pytest.MonkeyPatch):
    first = maturity.load_pack(tiny_pack)
    assert len(entries(cache)) == 1
    with monkeypatch.context() as m:
        no_reading(m)
        second = maturity.load_pack(tiny_pack)
    assert second == first and second is not first
    assert report(second) == report(first)
    monkeypatch.setenv(packcache.ENV, "off")
    uncached = maturity.load_pack(tiny_pack)
    assert uncached == second and report(uncached) == report(second)


def test_the_cache_holds_the_compiled_form(tiny_pack: Path, cache: Path, monkeypatch):
    maturity.load_pack(tiny_pack)
    from maturity import compiler

    def compiled_again(model):
        raise AssertionError("compiled again")
    monkeypatch.setattr(compiler, "_build", compiled_again)
    model = maturity.load_pack(tiny_pack)
    assert compiler.check_limits(model) == []
    assert maturity.assess(model, maturity.Organisation("Acme", ORG_ACME)).stage.id == "just_do_it"


def test_an_edited_file_is_read_again(tiny_pack: Path, cache: Path):
    maturity.load_pack(tiny_pack)
    write_text(tiny_pack / "pack.yaml", TINY_PACK_TEXT.replace("label: Purpose}", "label: Why we recruit}"))
    model = maturity.load_pack(tiny_pack)
    assert model.element_by_id["purpose"].label == "Why we recruit"
    assert len(entries(cache)) == 1  # the entry replaced, not a second one


def test_a_file_added_to_or_removed_from_the_pack_folder_is_seen(tiny_pack: Path, cache: Path):
    before = maturity.load_pack(tiny_pack)
    write_text(tiny_pack / "more.yaml", """\
        rules:
          - id: extra.rule
            when: {fact: purpose.goals_written, equals: false}
            then: {findings: [{id: extra, severity: info, message: "Extra"}]}
        """)
    added = maturity.load_pack(tiny_pack)
    assert "extra.rule" in added.rule_by_id and "extra.rule" not in before.rule_by_id
    (tiny_pack / "more.yaml").unlink()
    assert "extra.rule" not in maturity.load_pack(tiny_pack).rule_by_id


def test_an_edited_base_pack_is_read_again(tmp_path: Path, cache: Path):
    base = write_pack(tmp_path, dirname="base")
    write_text(tmp_path / "child" / "pack.yaml", """\
        pack: {id: child, label: Child, extends: ../base}
        """)
    assert maturity.load_pack(tmp_path / "child").element_by_id["purpose"].label == "Purpose"
    write_text(base / "pack.yaml", TINY_PACK_TEXT.replace("label: Purpose}", "label: Changed}"))
    assert maturity.load_pack(tmp_path / "child").element_by_id["purpose"].label == "Changed"


@pytest.mark.parametrize("damage", ["garbage", "truncated", "body", "empty"])
def test_a_corrupt_entry_is_ignored_and_written_again(tiny_pack: Path, cache: Path, damage: str):
    good = maturity.load_pack(tiny_pack)
    [entry] = entries(cache)
    data = entry.read_bytes()
    if damage == "garbage":
        entry.write_bytes(b"not a pickle at all")
    elif damage == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        entry.write_bytes(b"")
    else:  # a sound pickle whose model does not match its checksum
        header, digest, body = pickle.loads(data)
        entry.write_bytes(pickle.dumps((header, digest, body[:-1] + b".")))
    again = maturity.load_pack(tiny_pack)
    assert again == good and report(again) == report(good)
    assert packcache._read(entry, pack_module.pack_files) == good  # sound again


def test_an_entry_others_could_have_written_is_not_used(tiny_pack: Path, cache: Path, monkeypatch):
    maturity.load_pack(tiny_pack)
    [entry] = entries(cache)
    entry.chmod(0o666)
    read = []
    real = pack_module._load_layer
    monkeypatch.setattr(pack_module, "_load_layer", lambda *a: read.append(a) or real(*a))
    maturity.load_pack(tiny_pack)
    assert read  # read from its files


def test_with_the_cache_off_nothing_is_written(tiny_pack: Path, cache: Path, monkeypatch):
    monkeypatch.setenv(packcache.ENV, "off")
    maturity.load_pack(tiny_pack)
    assert entries(cache) == []


def test_a_pack_that_does_not_load_is_never_cached(tmp_path: Path, cache: Path):
    pack = write_text(tmp_path / "bad" / "pack.yaml", TINY_PACK_TEXT.replace("{id: purpose, label: Purpose}", "{id: Purpose!, label: Purpose}"))
    for _ in range(2):
        with pytest.raises(maturity.DataError):
            maturity.load_pack(pack.parent)
    assert entries(cache) == []


def test_an_unwritable_cache_changes_nothing(tiny_pack: Path, tmp_path: Path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file, so no folder can be made in it
    assert maturity.load_pack(tiny_pack).element_by_id["purpose"].label == "Purpose"


def test_messages_name_files_as_seen_from_the_working_folder(tiny_pack: Path, tmp_path: Path,
                                                            cache: Path, monkeypatch):
    monkeypatch.chdir(tiny_pack)
    here = maturity.load_pack(tiny_pack)
    monkeypatch.chdir(tmp_path)
    there = maturity.load_pack(tiny_pack)
    assert here.element_by_id["purpose"].loc.file == "pack.yaml"
    assert there.element_by_id["purpose"].loc.file == os.path.join("tiny", "pack.yaml")


def test_dots_commands_give_the_same_output_cached_and_not(tiny_pack: Path, tmp_path: Path, cache: Path):
    org = write_org(tmp_path / "acme.yaml", ORG_ACME)
    dots = [sys.executable, "-m", "maturity"]
    outputs = {}
    for mode in ("off", "on-first", "on-cached"):
        env = dict(os.environ, XDG_CACHE_HOME=str(cache.parents[1]),
                   **{packcache.ENV: "off" if mode == "off" else "on"})
        runs = [subprocess.run(dots + args, capture_output=True, text=True, env=env, cwd=tmp_path)
                for args in (["rules", "check", str(tiny_pack)],
                             ["assess", str(org), "--rules", str(tiny_pack), "--format", "json"])]
        outputs[mode] = [(r.returncode, r.stdout, r.stderr) for r in runs]
        assert bool(entries(cache)) == (mode != "off")
    assert outputs["off"] == outputs["on-first"] == outputs["on-cached"]
