"""Reading an answer typed in a terminal (cli/tty.py): what `dots interview` reads its answers
with. Each test runs a small program in a pseudo-terminal of its own and types into it."""

from __future__ import annotations

import sys
from pathlib import Path

import pexpect
import pytest

from pty_child import Terminal, no_fork_with_threads  # noqa: F401 (a fixture used by every test)

pytestmark = pytest.mark.terminal

# Asks until the end of input or an interrupt, printing what each answer read was.
PROGRAM = """
from maturity.cli.tty import asker
read = asker()
print("reader:", read.__name__, flush=True)
while True:
    try:
        print("read:", repr(read("answer> ")), flush=True)
    except EOFError:
        print("end of input", flush=True)
        break
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        break
"""


def program(tmp_path: Path) -> Terminal:
    child = Terminal([sys.executable, "-c", PROGRAM], tmp_path)
    child.expect_exact("reader: ask\r\n")  # in a terminal: not input()
    return child


def test_a_line_is_read_as_typed_and_edited(tmp_path):
    child = program(tmp_path)
    child.expect_exact("answer> ")
    child.sendline("yes")
    child.expect_exact("read: 'yes'\r\n")
    child.expect_exact("answer> ")
    child.send("Caf\u00e9 abc\x7f\x7f\x7fLtd\n")  # the terminal's own line editing (erase)
    child.expect_exact("read: 'Caf\u00e9 Ltd'\r\n")
    child.expect_exact("answer> ")
    child.sendline("")
    child.expect_exact("read: ''\r\n")
    child.expect_exact("answer> ")
    child.send("\x04")  # Ctrl-D at the start of a line: the end of input
    child.expect_exact("end of input\r\n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_ctrl_d_after_some_text_ends_the_line_there(tmp_path):
    child = program(tmp_path)
    child.expect_exact("answer> ")
    child.send("partial\x04")  # the text so far reaches the program, with no newline
    child.send("\x04")  # and Ctrl-D again ends it, as it does for input()
    child.expect_exact("read: 'partial'")


def test_ctrl_c_interrupts_at_once_whatever_was_typed(tmp_path):
    child = program(tmp_path)
    for _ in range(2):
        child.expect_exact("answer> ")
        child.sendline("one")
    child.expect_exact("answer> ")
    child.send("half an answ\x03")  # typed in the same moment: no pause the reader could use
    child.expect_exact("interrupted\r\n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_outside_a_terminal_answers_are_read_with_input(tmp_path):
    # A pipe may hold many lines at once: input() reads one at a time.
    import subprocess
    done = subprocess.run([sys.executable, "-c", PROGRAM], input="yes\nno\n", capture_output=True,
                          text=True, cwd=tmp_path, timeout=60)
    assert done.stdout.splitlines()[0] == "reader: input"
    assert "read: 'yes'" in done.stdout and "read: 'no'" in done.stdout
    assert done.stdout.endswith("end of input\n")
