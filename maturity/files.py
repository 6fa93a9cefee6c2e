"""Writing output files: whole or not at all, with the permissions any file the user makes
would have, through links to what they point at, and into devices as they are.

Every failure the user can meet (no folder, no permission, a read-only or full disk, a link
that loops) is an OutputError naming the path and the reason, never a traceback.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import Mapping

from .errors import OutputError


def check_output_path(path: Path, inputs: Mapping[str, str | Path | None] | None = None) -> None:
    """Fail early, before any work, when `path` cannot be written, or when writing it would
    replace one of the command's `inputs` (what each is called in messages -> its path, None
    when not given): the same file under any name, through links and hard links; a rule pack
    given as a folder is each pack file in it."""
    if _is_device(Path(path)):
        return
    target = _target(Path(path))
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        if parent.exists():  # a file where its folder should be
            raise OutputError(f"'{parent}' is a file, not a folder", "give a path in a folder",
                              str(path))
        raise OutputError("the folder for the output does not exist", "create it first",
                          str(path))
    if target.is_dir():
        raise OutputError("the output is a folder", "give a file name", str(path))
    for name, given in (inputs or {}).items():
        if given is not None and _replaces(target, Path(given)):
            raise OutputError(f"writing it would replace {name}, which this command reads",
                              "write it to another file: dots never rewrites what it reads",
                              str(path))


def check_distinct_outputs(outputs: Mapping[str, str | Path | None]) -> None:
    """Fail when two outputs of one command (what each is called -> its path, None when not
    asked for) are the same file: the second would replace the first."""
    seen: list[tuple[str, Path]] = []
    for name, given in outputs.items():
        if given is None:
            continue
        path = Path(given)
        for first, other in seen:
            if _target(path).absolute() == _target(other).absolute() or _same_file(path, other):
                raise OutputError(f"{name} and {first} are the same file",
                                  "give each its own file name", str(given))
        seen.append((name, path))


def _replaces(target: Path, given: Path) -> bool:
    """Whether writing `target` replaces the input `given` (a file, or a folder of pack
    files)."""
    if given.is_dir():
        try:
            inside = target.resolve().is_relative_to(given.resolve())
        except OSError:
            return False
        return inside and target.suffix.lower() in (".yaml", ".yml") and target.is_file()
    return _same_file(target, given)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # either not there (nothing to replace) or unreadable
        return False


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path`, whole or not at all: to a temporary file beside it, then moved
    into place. A link is followed and what it points at is replaced, so the link stays; a
    device (such as /dev/null) or a pipe is written to as it is, never replaced by a file. A
    new file gets the mode the umask gives; a replaced file keeps its mode."""
    path = Path(path)
    check_output_path(path)
    if _is_device(path):  # through any link: /dev/stdout is a link to a pipe or a terminal
        _guard(path, lambda: _write_through(path, data))
        return
    target = _target(path)
    _guard(path, lambda: _replace(target, data))


def _replace(target: Path, data: bytes) -> None:
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)  # mkstemp makes it 0600, whatever the umask
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _write_through(target: Path, data: bytes) -> None:
    with open(target, "wb") as f:
        f.write(data)


def _guard(path: Path, write) -> None:
    """Run `write`; an OSError becomes one OutputError naming `path` and the reason."""
    try:
        write()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        hints = {errno.EACCES: "check the folder's permissions, or write elsewhere",
                 errno.EPERM: "check the folder's permissions, or write elsewhere",
                 errno.EROFS: "the disk is read-only; write elsewhere",
                 errno.ENOSPC: "free some space, or write elsewhere",
                 errno.EDQUOT: "free some space, or write elsewhere"}
        raise OutputError(f"cannot write: {reason}",
                          hints.get(exc.errno, "nothing was written") if exc.errno else "",
                          str(path)) from None


def _target(path: Path) -> Path:
    """What writing to `path` writes: the file a link (or chain of links) points at."""
    if not path.is_symlink():
        return path
    try:
        return Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:  # a link to a file not made yet: it is made where it points
        return Path(os.path.realpath(path))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError("the output is a link that loops", "remove the link or write "
                              "elsewhere", str(path)) from None
        raise OutputError(f"cannot follow the link: {exc.strerror}", "", str(path)) from None
    except RuntimeError:  # Python before 3.13 says a loop so
        raise OutputError("the output is a link that loops", "remove the link or write "
                          "elsewhere", str(path)) from None


def _is_device(path: Path) -> bool:
    """Whether `path` (after any links) is a device, a pipe or a socket: something written to,
    not replaced."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _umask() -> int:
    mask = os.umask(0o022)  # reading it means setting it; it is put back at once
    os.umask(mask)
    return mask
