"""A command in a pseudo-terminal, for the terminal tests: started without forking the test
process (see `Terminal`). A test module imports `no_fork_with_threads` too, to hold every test
to that."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import termios
import warnings
from pathlib import Path

import pytest
from pexpect.fdpexpect import fdspawn

ENV = {"PATH": "/usr/bin:/bin", "TERM": "dumb"}
# Run in the child before the command, to make it a consultant's foreground command: the
# terminal becomes its controlling one, so that Ctrl-C typed into it interrupts, and Ctrl-C and
# Ctrl-\ are not ignored, as they are in a test run started in the background of a script (a
# command keeps the signals it is started with ignored, and Python then sets no handler).
CONTROLLING = ("import fcntl, os, signal, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
               "signal.signal(signal.SIGINT, signal.SIG_DFL); signal.signal(signal.SIGQUIT, signal.SIG_DFL); "
               "os.execv(sys.argv[1], sys.argv[1:])")


class Terminal(fdspawn):
    """A command in a pseudo-terminal of its own (40 x 200), driven as pexpect drives one. It
    is started by `subprocess`, which does not fork this process the way `pexpect.spawn` does
    (`os.forkpty`: unsafe, and warned against from Python 3.12 on, in a process with threads,
    as a test process may have after the browser and batch tests)."""

    def __init__(self, argv: list[str], cwd: Path):
        main, side = os.openpty()
        fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
        try:
            self.process = subprocess.Popen([sys.executable, "-c", CONTROLLING, *argv], cwd=str(cwd),
                                            env=ENV, stdin=side, stdout=side, stderr=side,
                                            start_new_session=True)
        finally:
            os.close(side)  # the child's copies are its own: the end of its output is an EOF here
        super().__init__(main, encoding="utf-8", timeout=60)

    def sendintr(self) -> None:
        self.send("\x03")  # the terminal's interrupt character (Ctrl-C)

    def kill(self, sig: int) -> None:
        self.process.send_signal(sig)

    def close(self, force: bool = False) -> None:
        if not self.closed:
            super().close()
        self.exitstatus = self.process.wait(timeout=60)


@pytest.fixture(autouse=True)
def no_fork_with_threads():
    """Forking this process once it has threads (as pexpect.spawn and pexpect.run do) fails a
    test here, not a warning to scroll past: it can deadlock the child. Python 3.12 and later
    warn of it (and swallow the warning made an error), so the warnings are recorded."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        yield
    assert not [str(w.message) for w in seen if "is multi-threaded" in str(w.message)]
