"""Running the Graphviz program `dot` on DOT text, with every way it can fail told as one
line that says it was Graphviz and why.

The graphviz library's own piping writes the source line by line into `dot`, and goes on
writing after `dot` has stopped (BrokenPipeError), and copies `dot`'s messages to our standard
error; here the whole source is handed over at once and its messages are read back.
"""

from __future__ import annotations

import re
import subprocess

from .errors import OutputError

MAX_QUOTED = 16_381  # characters between the quotes of one string: Graphviz's buffer is 16,384
INSTALL_HINT = ("install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz), "
                "or write .dot and render it elsewhere")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def draw(source: str, fmt: str) -> bytes:
    """The picture of DOT `source` in `fmt` (svg, png or pdf), made by `dot`."""
    longest = max((len(m.group()) - 2 for m in _QUOTED.finditer(source)), default=0)
    if longest > MAX_QUOTED:
        raise OutputError(f"Graphviz cannot draw this picture: one of its texts is {longest:,} "
                          f"characters long as DOT, and Graphviz reads at most {MAX_QUOTED:,}",
                          "shorten the long label, description or name; or write .dot")
    try:
        done = subprocess.run(["dot", f"-T{fmt}"], input=source.encode("utf-8"),
                              capture_output=True, check=False)
    except FileNotFoundError:
        raise OutputError("the Graphviz program 'dot' is not installed", INSTALL_HINT) from None
    except OSError as exc:
        raise OutputError(f"Graphviz could not be run: {exc.strerror or exc}",
                          INSTALL_HINT) from None
    if done.returncode != 0:
        raise OutputError(f"Graphviz failed: {_reason(done)}",
                          "write .dot to see what was given to Graphviz")
    return done.stdout


def _reason(done: subprocess.CompletedProcess) -> str:
    """Graphviz's first error (else its first message), without its 'Error: <stdin>:' prefix,
    on one line."""
    lines = [line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line.startswith("Error")] or lines
    for line in lines:
        line = re.sub(r"^(Error|Warning):\s*(<stdin>:\s*)?", "", line)
        if line:
            return line
    if done.returncode < 0:
        return f"'dot' was stopped by signal {-done.returncode}"
    return f"'dot' stopped with exit code {done.returncode} and no message"
