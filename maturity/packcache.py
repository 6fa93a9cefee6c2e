"""A cache of loaded packs, so that a large pack is not read, checked and compiled again by
every command (docs/performance.md, "Large models").

An entry holds the built `Model` (with its compiled form when the pack is within the engine's
limits), pickled, with what it was built from: every pack file's name, content hash and the name
messages give it, the folder listings, the working folder, Python's and this package's versions
and its files' sizes and times. An entry is used only when all of these are still the same;
anything else (an edited, added or removed file, another version, an unreadable, foreign or
corrupt entry) and the pack is loaded from its files as if there were no cache, and the entry
written again. Only packs that load without a problem are kept, so every message about a pack
comes from reading it. Entries live in $XDG_CACHE_HOME/connect-the-dots (~/.cache/...), are
written whole or not at all, and `DOTS_PACK_CACHE=off` turns the cache off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path
from typing import Callable

from .model import Model

ENV = "DOTS_PACK_CACHE"             # "off" (or 0, no, false): never read or write the cache
FORMAT = 1                          # bumped when what an entry holds changes
_OFF = {"0", "off", "no", "false"}
_PACKAGE = Path(__file__).resolve().parent


def folder() -> Path | None:
    """Where entries are kept, or None when the cache is off."""
    if os.environ.get(ENV, "").strip().lower() in _OFF:
        return None
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):  # the XDG rule: a relative path is ignored
        home = os.environ.get("HOME") or ""
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "connect-the-dots" / "packs"


def load(path: Path, build: Callable[[list[Path]], Model],
         listing: Callable[[Path], list[Path]]) -> Model:
    """The pack at `path`: from the cache when an entry built from the same files is there,
    otherwise `build(sources)` (which appends every pack file or folder it reads to
    `sources`; `listing` gives the files of one), kept for next time."""
    where = folder()
    if where is None:
        return build([])
    entry = where / (_key(path) + ".pickle")
    model = _read(entry, listing)
    if model is not None:
        return model
    sources: list[Path] = []
    model = build(sources)
    _write(entry, model, sources, listing)
    return model


def _key(path: Path) -> str:
    """The entry's name: the pack as given, where it is read from, and what reads it."""
    parts = [str(FORMAT), sys.version, str(Path.cwd()), os.fspath(path), os.fspath(Path(path).resolve())]
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:40]


def _code() -> list:
    """This package's files (names, sizes, times): a reinstalled or changed package is
    another package, whatever its version says."""
    found = []
    for root, dirs, files in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith((".py", ".json")):  # code and schemas make a model, not templates
                continue
            st = os.stat(os.path.join(root, name))
            found.append((os.path.relpath(os.path.join(root, name), _PACKAGE), st.st_size, st.st_mtime_ns))
    return found


def _sources_state(sources: list[Path], listing: Callable[[Path], list[Path]]) -> list | None:
    """For each pack file or folder read: its listing and each file's name in messages and
    content hash, as they are now. None when one cannot be read (then there is no entry)."""
    from .yamlio import display_path
    state = []
    try:
        for source in sources:
            files = listing(source)
            state.append((os.fspath(source), [
                (os.fspath(f), display_path(f), hashlib.sha256(f.read_bytes()).hexdigest())
                for f in files]))
    except Exception:  # a file gone or unreadable since: the pack's own loading will say so
        return None
    return state


def _header(sources: list[Path], listing: Callable[[Path], list[Path]]) -> dict | None:
    state = _sources_state(sources, listing)
    if state is None:
        return None
    return {"format": FORMAT, "python": sys.version, "cwd": str(Path.cwd()), "code": _code(),
            "sources": state}


def _trusted(path: Path) -> bool:
    """An entry (and its folder) that only this user can have written."""
    try:
        for p in (path.parent, path):
            st = os.lstat(p)
            if st.st_uid != os.getuid() or st.st_mode & 0o022 or \
                    (p == path and not stat.S_ISREG(st.st_mode)):
                return False
    except (OSError, AttributeError):  # AttributeError: no getuid (not POSIX)
        return False
    return True


def _read(entry: Path, listing: Callable[[Path], list[Path]]) -> Model | None:
    """The model an entry holds, when the entry is sound and still describes the pack."""
    if not _trusted(entry):
        return None
    try:
        with open(entry, "rb") as f:
            header, digest, body = pickle.load(f)
        if not isinstance(header, dict) or header.get("format") != FORMAT or \
                header != _header([Path(s) for s, _ in header.get("sources", [])], listing):
            return None
        if not isinstance(body, bytes) or hashlib.sha256(body).hexdigest() != digest:
            return None
        model = pickle.loads(body)
    except Exception:  # unreadable, truncated or corrupt: as if there were no entry
        return None
    return model if type(model) is Model else None


def _write(entry: Path, model: Model, sources: list[Path],
           listing: Callable[[Path], list[Path]]) -> None:
    """Keep `model` (compiled when the pack is within the engine's limits) for next time;
    never fails a command: a cache that cannot be written is simply not used."""
    header = _header(sources, listing)
    if header is None or not sources:
        return
    from .compiler import compile_pack, keep_compiled
    from .errors import DataError
    try:
        keep_compiled(model, compile_pack(model))  # assess takes it from there
    except DataError:  # beyond the engine's limits: kept uncompiled, as the pack was loaded
        pass
    try:
        body = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        data = pickle.dumps((header, hashlib.sha256(body).hexdigest(), body),
                            protocol=pickle.HIGHEST_PROTOCOL)
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _trusted_folder(entry.parent):
            return
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # read-only or full disk, no home, ...: no cache, same results
        return


def _trusted_folder(path: Path) -> bool:
    try:
        st = os.lstat(path)
        return st.st_uid == os.getuid() and not st.st_mode & 0o022 and stat.S_ISDIR(st.st_mode)
    except (OSError, AttributeError):
        return False
