"""Reading a line typed in a terminal so that Ctrl-C always stops what is waiting for it.

`input()` shows its prompt and then blocks in a read of the terminal. A Ctrl-C that lands
between the two (a moment that a busy machine stretches) runs Python's handler before the read
starts: the read is not interrupted, and the interrupt is seen only after the next Enter.
`ask` waits for the terminal *and* for a signal (`signal.set_wakeup_fd`), and runs the handlers
of signals already caught before it shows the prompt and whenever a signal wakes it, so a
Ctrl-C at any moment raises KeyboardInterrupt at once. The terminal stays in its own
(canonical) mode: the line is edited as it is for `input()` and arrives whole on Enter."""

from __future__ import annotations

import codecs
import os
import select
import signal
import sys
from contextlib import contextmanager
from typing import Callable, Iterator


def asker() -> Callable[[str], str]:
    """What reads the answers: `ask` when standard input and output are a terminal, else
    `input` (a pipe or a test's input)."""
    try:
        interactive = sys.stdin.isatty() and sys.stdout.isatty() and sys.stdin.fileno() >= 0
    except (AttributeError, OSError, ValueError):  # replaced streams without a file descriptor
        interactive = False
    return ask if interactive and hasattr(signal, "pthread_sigmask") else input


def ask(prompt: str) -> str:
    """The line typed after `prompt`, without its newline, as `input()` gives it: EOFError
    on Ctrl-D at the start of a line, KeyboardInterrupt on Ctrl-C, whenever it comes."""
    fd = sys.stdin.fileno()
    decoder = codecs.getincrementaldecoder(sys.stdin.encoding or "utf-8")("replace")
    typed: list[str] = []
    with _woken_by_signals() as woken:
        _run_signal_handlers()  # a Ctrl-C from before the pipe was there
        sys.stdout.write(prompt)
        sys.stdout.flush()
        while True:
            ready, _, _ = select.select([fd, woken], [], [])
            if woken in ready:  # a signal came, at any moment since the pipe was there
                _drain(woken)
                _run_signal_handlers()
                continue
            chunk = os.read(fd, 65536)
            if not chunk:  # Ctrl-D: the end of input, or of a line typed so far
                if typed:
                    return "".join(typed) + decoder.decode(b"", final=True)
                raise EOFError
            typed.append(decoder.decode(chunk))
            if chunk.endswith(b"\n"):
                return "".join(typed)[:-1]


@contextmanager
def _woken_by_signals() -> Iterator[int]:
    """A pipe a signal writes a byte to (as well as running its handler), for the time of one
    read; the previous wake-up descriptor is put back after."""
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    os.set_blocking(write_end, False)
    before = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    try:
        yield read_end
    finally:
        signal.set_wakeup_fd(before)
        os.close(read_end)
        os.close(write_end)


def _run_signal_handlers() -> None:
    """Run now the Python handlers of the signals caught so far (SIGINT's raises
    KeyboardInterrupt): changing the signal mask does so, and this change changes nothing."""
    signal.pthread_sigmask(signal.SIG_BLOCK, ())


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass
