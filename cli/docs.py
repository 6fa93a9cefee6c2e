"""docs/cli.md, generated from the commands' own --help, so the reference cannot drift.

Regenerate with `python -m maturity.cli.docs > docs/cli.md`; tests/test_docs.py fails when the
file is out of date or a command is missing from it."""

from __future__ import annotations

import click

from .main import cli

HEADER = """# Command-line reference

Generated from `dots --help` by `python -m maturity.cli.docs > docs/cli.md`; a test keeps it
in step with the code. Exit codes: 0 success, 1 bad data (each problem on its own line with
file, line and column), 2 bad usage.
"""


def _commands(group: click.Group, prefix: list[str]):
    ctx = click.Context(group, info_name=" ".join(prefix))
    for name in sorted(group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        yield prefix + [name], command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + [name])


def _help(path: list[str], command: click.Command) -> str:
    parent = None
    for depth in range(1, len(path)):
        parent = click.Context(cli if depth == 1 else command, info_name=" ".join(path[:depth]),
                               parent=parent)
    ctx = click.Context(command, info_name=path[-1], parent=parent, terminal_width=88,
                        max_content_width=88)
    return command.get_help(ctx)


def markdown() -> str:
    """The whole reference page."""
    parts = [HEADER, "## dots\n", "```text", _help(["dots"], cli), "```\n"]
    for path, command in _commands(cli, ["dots"]):
        parts += [f"## {' '.join(path)}\n", "```text", _help(path, command), "```\n"]
    return "\n".join(parts)


def command_names() -> list[str]:
    """Every command and sub-command, as typed: ['dots assess', 'dots rules check', ...]."""
    return [" ".join(path) for path, _ in _commands(cli, ["dots"])]


if __name__ == "__main__":
    click.echo(markdown(), nl=False)
