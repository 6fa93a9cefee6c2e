"""docs/cli.md, generated from the commands' own --help, so the reference cannot drift.

Regenerate with `python -m maturity.cli.docs > docs/cli.md`; tests/test_docs.py fails when the
file is out of date or a command is missing from it."""

from __future__ import annotations

import click

from .main import cli

HEADER = """# Command-line reference

Generated from `dots --help` by `python -m maturity.cli.docs > docs/cli.md`; a test keeps it
in step with the code. Exit codes: 0 success, 1 bad data (each problem on its own line with
file, line and column), 2 bad usage, 130 interrupted, 143 stopped
(SIGTERM), 141 standard output closed.
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
    # One context per level, each for its own group, so that a subcommand's usage line reads
    # `dots rules test ...` and settings such as -h are inherited as they are when run.
    ctx = click.Context(cli, info_name=path[0], terminal_width=88, max_content_width=88,
                        **cli.context_settings)
    current: click.Command = cli
    for name in path[1:]:
        current = current.get_command(ctx, name)  # type: ignore[attr-defined]
        ctx = click.Context(current, info_name=name, parent=ctx, terminal_width=88,
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
