"""The user's situation is not a bug: a closed pipe, Ctrl-C, a folder that cannot be written,
a full disk, a device or a link as the output, broken links and file names that are not UTF-8
each end in a quiet exit or one clear line, never "internal error"; outputs follow the umask."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import maturity
from bundled import ROOT, invoke
from conftest import ORG_ACME, write_org, write_pack

HANG_GUARD = 120


@pytest.fixture
def workdir(example_workdir: Path) -> Path:
    """The working folder, holding a valid facts file `ok.yaml`."""
    return example_workdir


def dots(*args: str | bytes, **kwargs) -> subprocess.CompletedProcess:
    """`dots` in a process of its own."""
    kwargs.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-m", "maturity", *args], timeout=HANG_GUARD, **kwargs)


# Closed pipes ----------------------------------------------------------------------------

COMMANDS = [["demo", "--out-dir", "pictures"], ["assess", "ok.yaml"], ["next", "ok.yaml"],
            ["roadmap", "ok.yaml", "--format", "json"], ["render", "ok.yaml", "-o", "ok.dot"],
            ["facts"], ["facts", "--template"], ["rules", "check"], ["rules", "test"],
            ["schema", "pack"], ["examples"], ["--help"], ["--version"], ["rules", "--help"],
            ["assess", "missing.yaml"]]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_closed_standard_output_ends_quietly(workdir, args):
    # As in `dots demo | head -1` once head has gone: the reading end is closed before dots
    # writes, so every write fails (it said "internal error: BrokenPipeError" and exit 1).
    read, write = os.pipe()
    os.close(read)
    try:
        result = dots(*args, stdout=write, stderr=subprocess.PIPE, capture_output=False)
    finally:
        os.close(write)
    failing = args == ["assess", "missing.yaml"]  # its message goes to stderr, as ever
    assert result.returncode == (1 if failing else 141)
    assert result.stderr == (b"error: missing.yaml: no such file\n  hint: check the path\n"
                             if failing else b"")


def every_command() -> list[list[str]]:
    """Every command and group of `dots`, as the words that name it."""
    from maturity.cli.main import cli
    found, todo = [], [([], cli)]
    while todo:
        words, command = todo.pop()
        found.append(words)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            todo.append((words + [name], sub))
    return sorted(found)


@pytest.mark.parametrize("words", every_command(), ids=lambda w: " ".join(w) or "dots")
def test_help_of_every_command_into_a_closed_pipe(workdir, words):
    read, write = os.pipe()
    os.close(read)
    try:
        result = dots(*words, "--help", stdout=write, stderr=subprocess.PIPE, capture_output=False)
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (141, b"")


def test_head_of_demo(workdir):
    result = subprocess.run(f"{sys.executable} -m maturity demo --out-dir pictures | head -1",
                            shell=True, capture_output=True, text=True, timeout=HANG_GUARD)
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr == ""


# Ctrl-C ----------------------------------------------------------------------------------

def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_in_a_command_exits_130(workdir, monkeypatch):
    monkeypatch.setattr(maturity, "assess", interrupt)
    result = invoke(["assess", "ok.yaml"])
    assert result.exit_code == 130
    assert "Aborted" not in result.output and "internal error" not in result.output


def test_ctrl_c_exits_130_from_the_entry_point(workdir, monkeypatch, capsys):
    from maturity.cli import main as entry
    monkeypatch.setattr(maturity, "assess", interrupt)
    monkeypatch.setattr(sys, "argv", ["dots", "assess", "ok.yaml"])
    with pytest.raises(SystemExit) as info:
        entry.main()
    assert info.value.code == 130
    assert capsys.readouterr().err == ""


def test_ctrl_c_outside_a_command_exits_130(workdir, monkeypatch):
    from maturity.cli import main as entry
    monkeypatch.setattr(entry.cli, "invoke", interrupt)
    monkeypatch.setattr(sys, "argv", ["dots", "assess", "ok.yaml"])
    with pytest.raises(SystemExit) as info:
        entry.main()
    assert info.value.code == 130


def test_real_sigint_exits_130(workdir):
    # A process that interrupts itself while reading the pack, as Ctrl-C would.
    # (Python's own handler first: a test run started in the background ignores SIGINT.)
    code = ("import os, signal, sys, maturity.pack as p; load = p.load_pack\n"
            "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
            "def slow(*a, **k):\n    os.kill(os.getpid(), signal.SIGINT)\n    return load(*a, **k)\n"
            "p.load_pack = slow\nimport maturity; maturity.load_pack = slow\n"
            "sys.argv = ['dots', 'assess', 'ok.yaml']\nfrom maturity.cli.main import main; main()\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=HANG_GUARD)
    assert result.returncode == 130
    assert "Traceback" not in result.stderr and "Aborted" not in result.stderr


def test_sigterm_while_writing_leaves_nothing_and_exits_143(workdir):
    # Killed (SIGTERM) just before the output is moved into place: the temporary file is
    # removed on the way out, as after Ctrl-C (it was left behind, and the exit said -15).
    code = ("import os, signal, sys\nreal = os.replace\n"
            "def replace(a, b):\n    os.kill(os.getpid(), signal.SIGTERM)\n    return real(a, b)\n"
            "os.replace = replace\nsys.argv = ['dots', 'assess', 'ok.yaml', '-o', 'out.txt']\n"
            "from maturity.cli.main import main; main()\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=HANG_GUARD)
    assert result.returncode == 143
    assert "Traceback" not in result.stderr
    assert sorted(os.listdir(".")) == ["ok.yaml"]


# Outputs follow the umask ----------------------------------------------------------------

@pytest.fixture
def umask():
    """Set the umask for one test, and put the old one back."""
    old = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(old)


def mode(path: str | Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
@pytest.mark.parametrize("args", [["assess", "ok.yaml", "-o", "out.txt"],
                                  ["render", "ok.yaml", "-o", "out.dot"],
                                  ["facts", "--template", "-o", "out.yaml"]], ids=" ".join)
def test_outputs_follow_the_umask(workdir, umask, mask, expected, args):
    umask(mask)
    result = invoke(args)
    assert result.exit_code == 0, result.output
    assert mode(args[-1]) == expected  # it was 0600 whatever the umask


def test_a_replaced_output_keeps_its_mode(workdir, umask):
    umask(0o022)
    Path("out.txt").write_text("old", "utf-8")
    os.chmod("out.txt", 0o604)
    assert invoke(["assess", "ok.yaml", "-o", "out.txt"]).exit_code == 0
    assert mode("out.txt") == 0o604 and Path("out.txt").read_text("utf-8") != "old"


def test_demo_picture_follows_the_umask(workdir, umask):
    umask(0o022)
    assert invoke(["demo", "--out-dir", "pictures"]).exit_code == 0
    (picture,) = Path("pictures").iterdir()
    assert mode(picture) == 0o644


# Folders that cannot be written, full disks ----------------------------------------------

@pytest.mark.parametrize("error, reason, hint", [
    (errno.EACCES, "Permission denied", "check the folder's permissions, or write elsewhere"),
    (errno.EROFS, "Read-only file system", "the disk is read-only; write elsewhere"),
    (errno.ENOSPC, "No space left on device", "free some space, or write elsewhere")])
@pytest.mark.parametrize("args", [["assess", "ok.yaml", "-o", "out.txt"],
                                  ["render", "ok.yaml", "-o", "out.svg"],
                                  ["demo", "--out-dir", "."]], ids=" ".join)
def test_unwritable_output_is_one_clear_line(workdir, monkeypatch, error, reason, hint, args):
    # Root may write anywhere, so the system's refusal is played by the temporary file.
    def refuse(*a, **k):
        raise OSError(error, os.strerror(error))
    monkeypatch.setattr("maturity.files.tempfile.mkstemp", refuse)
    before = sorted(os.listdir("."))
    result = invoke(args)
    assert result.exit_code == 1
    target = "just-do-it.svg" if args[0] == "demo" else args[-1]
    assert result.stderr == f"error: {target}: cannot write: {reason}\n  hint: {hint}\n"
    assert sorted(os.listdir(".")) == before  # nothing left behind


def test_full_disk_while_writing_leaves_nothing(workdir, monkeypatch):
    real = os.fdopen

    class Full:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def fileno(self):
            return self.f.fileno()

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("maturity.files.os.fdopen", lambda fd, mode: Full(real(fd, mode)))
    result = invoke(["assess", "ok.yaml", "-o", "out.txt"])
    assert result.stderr == ("error: out.txt: cannot write: No space left on device\n"
                             "  hint: free some space, or write elsewhere\n")
    assert sorted(os.listdir(".")) == ["ok.yaml"]


def test_demo_folder_that_cannot_be_made(workdir):
    Path("taken").write_text("a file", "utf-8")
    result = invoke(["demo", "--out-dir", "taken/pictures"])
    assert result.exit_code == 1
    assert result.stderr.endswith("error: taken/pictures: Not a directory\n")
    assert "internal error" not in result.output


# Devices and links -----------------------------------------------------------------------

def test_output_to_a_pipe_writes_through(workdir):
    # A named pipe stands for any device (such as /dev/null): written to, never replaced.
    os.mkfifo("fifo")
    got = []
    reader = threading.Thread(target=lambda: got.append(Path("fifo").read_bytes()))
    reader.start()
    result = invoke(["assess", "ok.yaml", "-o", "fifo"])
    reader.join(HANG_GUARD)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat("fifo").st_mode)
    assert got and got[0].decode("utf-8") == invoke(["assess", "ok.yaml"]).stdout


def test_output_to_a_character_device_writes_through(workdir):
    try:
        # A /dev/null of our own (as root, -o /dev/null replaced the device by a file).
        os.mknod("null.dot", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device needs root")  # the pipe test above covers the path
    for args in (["render", "ok.yaml", "-o", "null.dot"], ["assess", "ok.yaml", "-o", "null.dot"]):
        result = invoke(args)
        assert result.exit_code == 0, result.output
        assert stat.S_ISCHR(os.lstat("null.dot").st_mode)
    assert sorted(os.listdir(".")) == ["null.dot", "ok.yaml"]


@pytest.mark.parametrize("reader", ["pipe", "file"])
def test_output_to_dev_stdout_writes_to_standard_output(workdir, reader):
    # /dev/stdout is a link to a pipe (or a file, or a terminal); the link was replaced.
    expected = invoke(["assess", "ok.yaml"]).stdout
    if reader == "pipe":
        result = dots("assess", "ok.yaml", "-o", "/dev/stdout", text=True)
        out = result.stdout
    else:
        with open("captured.txt", "w") as f:
            result = dots("assess", "ok.yaml", "-o", "/dev/stdout", stdout=f, stderr=subprocess.PIPE,
                          capture_output=False, text=True)
        out = Path("captured.txt").read_text("utf-8")
    assert result.returncode == 0, result.stderr
    assert out == expected
    assert os.path.islink("/dev/stdout")


def test_output_device_errors_are_one_line(workdir):
    result = invoke(["assess", "ok.yaml", "-o", "/dev/full"])
    assert result.stderr == ("error: /dev/full: cannot write: No space left on device\n"
                             "  hint: free some space, or write elsewhere\n")
    assert stat.S_ISCHR(os.lstat("/dev/full").st_mode)


@pytest.mark.parametrize("args", [["assess", "ok.yaml"], ["--help"], ["schema", "pack"]], ids=" ".join)
def test_standard_output_on_a_full_disk_is_one_line(workdir, args):
    # `dots assess ok.yaml > /dev/full` said "internal error: OSError", and --help printed a traceback.
    with open("/dev/full", "w") as full:
        result = dots(*args, stdout=full, stderr=subprocess.PIPE, capture_output=False)
    assert result.returncode == 1
    assert result.stderr == b"error: standard output: cannot write: No space left on device\n"


@pytest.mark.parametrize("args", [["assess", "ok.yaml"], ["--help"], ["facts"]], ids=" ".join)
def test_standard_output_closed_from_the_start_is_one_line(workdir, args):
    # Started with `>&-`, Python has no sys.stdout: a traceback ("'NoneType' object has no
    # attribute 'flush'").
    result = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "maturity", *args],
                            stderr=subprocess.PIPE, timeout=HANG_GUARD)
    assert result.returncode == 1
    assert result.stderr == b"error: standard output: cannot write: it is closed\n"


def test_work_goes_on_with_standard_error_closed(workdir):
    # A batch with `2>&-` exited 1 and wrote nothing: nothing can be said, the work is done.
    result = subprocess.run(["sh", "-c", 'exec "$@" 2>&-', "sh", sys.executable, "-m", "maturity",
                             "batch", "ok.yaml", "-o", "r.csv", "--workers", "1"],
                            stdout=subprocess.PIPE, timeout=HANG_GUARD)
    assert result.returncode == 0
    assert Path("r.csv").read_text("utf-8").count("\n") == 2  # the header and one organisation


def test_output_in_a_file_as_if_it_were_a_folder(workdir):
    # It said "the folder for the output does not exist", though something is there.
    result = invoke(["assess", "ok.yaml", "-o", "ok.yaml/out.txt"])
    assert result.exit_code == 1
    assert result.stderr == ("error: ok.yaml/out.txt: 'ok.yaml' is a file, not a folder\n"
                             "  hint: give a path in a folder\n")


def test_output_through_a_link_writes_its_target(workdir):
    Path("real").mkdir()
    Path("real/out.txt").write_text("old", "utf-8")
    os.symlink("real/out.txt", "link.txt")
    assert invoke(["assess", "ok.yaml", "-o", "link.txt"]).exit_code == 0
    assert os.path.islink("link.txt")
    assert Path("real/out.txt").read_text("utf-8") == invoke(["assess", "ok.yaml"]).stdout
    assert sorted(os.listdir("real")) == ["out.txt"]


def test_output_through_a_dangling_link_makes_its_target(workdir):
    os.symlink("made.txt", "link.txt")
    assert invoke(["assess", "ok.yaml", "-o", "link.txt"]).exit_code == 0
    assert os.path.islink("link.txt") and Path("made.txt").is_file()


def test_output_link_that_loops_is_refused(workdir):
    os.symlink("b.txt", "a.txt")
    os.symlink("a.txt", "b.txt")
    result = invoke(["assess", "ok.yaml", "-o", "a.txt"])
    assert result.exit_code == 1
    assert result.stderr == ("error: a.txt: the output is a link that loops\n"
                             "  hint: remove the link or write elsewhere\n")
    assert os.path.islink("a.txt") and os.path.islink("b.txt")


# An output that is an input -------------------------------------------------------------

REPLACING = [  # (arguments, what the output would replace)
    (["assess", "ok.yaml", "-o", "ok.yaml"], "FACTS"),
    (["next", "ok.yaml", "-o", "ok.yaml"], "FACTS"),
    (["roadmap", "ok.yaml", "-o", "ok.yaml"], "FACTS"),
    (["whatif", "ok.yaml", "--set", "purpose.goals_written=true", "-o", "ok.yaml"], "FACTS"),
    (["compare", "before.yaml", "ok.yaml", "-o", "before.yaml"], "PREVIOUS"),
    (["compare", "before.yaml", "ok.yaml", "-o", "ok.yaml"], "CURRENT"),
    (["report", "facts.md", "-o", "facts.md"], "FACTS"),  # a facts file is YAML by any name
    (["assess", "ok.yaml", "--rules", "pack", "-o", "pack/rules.yaml"], "the rule pack"),
    (["assess", "ok.yaml", "--rules", "pack.yaml", "-o", "pack.yaml"], "the rule pack"),
]


@pytest.mark.parametrize("args, name", REPLACING, ids=lambda a: " ".join(a) if isinstance(a, list) else a)
def test_an_output_never_replaces_an_input(workdir, args, name):
    # `-o` naming what the command reads replaced it with the output ("wrote ok.yaml").
    shutil.copy("ok.yaml", "before.yaml")
    shutil.copy("ok.yaml", "facts.md")
    shutil.copytree(ROOT / "rules" / "default", "pack")
    shutil.copy(write_pack(workdir) / "pack.yaml", "pack.yaml")
    before = {p: p.read_bytes() for p in Path(".").rglob("*") if p.is_file()}
    result = invoke(args)
    output = args[-1]
    assert result.exit_code == 1
    assert result.stderr == (f"error: {output}: writing it would replace {name}, which this "
                             "command reads\n  hint: write it to another file: dots never "
                             "rewrites what it reads\n")
    assert {p: p.read_bytes() for p in Path(".").rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("how", ["link", "hard link", "other name"])
def test_an_input_under_another_name_is_not_replaced(workdir, how):
    if how == "link":
        os.symlink("ok.yaml", "out.txt")
    elif how == "hard link":
        os.link("ok.yaml", "out.txt")
    else:
        os.mkdir("sub")
        os.symlink("..", "sub/up")
    output = "sub/up/ok.yaml" if how == "other name" else "out.txt"
    before = Path("ok.yaml").read_bytes()
    result = invoke(["assess", "ok.yaml", "-o", output])
    assert result.exit_code == 1
    assert "writing it would replace FACTS" in result.stderr
    assert Path("ok.yaml").read_bytes() == before


def test_a_new_file_in_the_pack_folder_is_written(workdir):
    # The folder of a pack given by --rules is an input only for its pack files.
    shutil.copytree(ROOT / "rules" / "default", "pack")
    assert invoke(["assess", "ok.yaml", "--rules", "pack", "-o", "pack/notes.txt"]).exit_code == 0
    assert Path("pack/notes.txt").read_text("utf-8") == invoke(["assess", "ok.yaml"]).stdout


@pytest.mark.parametrize("command", [["compare", "ok.yaml", "ok.yaml"], ["portfolio", "results.jsonl"]])
def test_two_outputs_of_one_command_are_two_files(workdir, command):
    # The picture replaced the text output (or the other way round), and both said "wrote".
    assert invoke(["batch", "ok.yaml", "-o", "results.jsonl"]).exit_code == 0
    result = invoke([*command, "-o", "out.svg", "--picture", "./out.svg"])
    assert result.exit_code == 1
    assert result.stderr == ("error: ./out.svg: the picture and the output are the same file\n"
                             "  hint: give each its own file name\n")
    assert not Path("out.svg").exists()


def test_portfolio_does_not_replace_its_results(workdir):
    assert invoke(["batch", "ok.yaml", "-o", "results.sqlite"]).exit_code == 0
    before = Path("results.sqlite").read_bytes()
    result = invoke(["portfolio", "results.sqlite", "-o", "results.sqlite"])
    assert result.exit_code == 1
    assert "writing it would replace RESULTS, which this command reads" in result.stderr
    assert Path("results.sqlite").read_bytes() == before


# Links among the inputs ------------------------------------------------------------------

def test_broken_link_in_a_pack_folder_is_an_error(workdir):
    pack = write_pack(workdir)
    os.symlink("gone.yaml", pack / "more.yaml")
    result = invoke(["rules", "check", str(pack)])
    assert result.exit_code == 1
    assert result.stdout.startswith("error: tiny/more.yaml: is a link to 'gone.yaml', which "
                                    "does not exist\n  hint: fix or remove the link")


def test_looping_link_in_a_pack_folder_is_an_error(workdir):
    pack = write_pack(workdir)
    os.symlink("more.yaml", pack / "more.yaml")
    result = invoke(["assess", "ok.yaml", "--rules", str(pack)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: tiny/more.yaml: is a link that loops (it leads "
                                    "back to itself)\n")


def test_looping_facts_file_is_an_error(workdir):
    os.symlink("loop.yaml", "loop.yaml")
    result = invoke(["assess", "loop.yaml"])
    assert result.exit_code == 1
    assert result.stderr == ("error: loop.yaml: is a link that loops (it leads back to itself)\n"
                             "  hint: check the path\n")


def test_looping_pack_path_is_an_error(workdir):
    os.symlink("loop", "loop")
    result = invoke(["assess", "ok.yaml", "--rules", "loop"])
    assert result.exit_code == 1
    assert result.stderr == ("error: loop: the rule pack is a link that loops (it leads back "
                             "to itself)\n  hint: check the path\n")


# File names that are not UTF-8 -----------------------------------------------------------

def test_json_output_is_utf8_whatever_the_file_name(workdir):
    name = b"caf\xe9.yaml"  # Latin-1, as an old archive might give it
    write_org(Path(os.fsdecode(name)), ORG_ACME)
    pack = write_pack(workdir)
    env = dict(os.environ, LC_ALL="C")  # Python then writes undecodable bytes back as they were
    result = dots("assess", name, "--rules", str(pack), "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.decode("utf-8"))  # strict: it was not valid UTF-8
    assert data["organisation"]["id"] == "caf\ufffd"


def test_messages_are_utf8_whatever_the_file_name(workdir):
    result = dots("assess", b"\xff.yaml", env=dict(os.environ, LC_ALL="C"))
    assert result.returncode == 1
    assert result.stderr.decode("utf-8") == "error: \ufffd.yaml: no such file\n  hint: check the path\n"
