"""Every command of the CLI, audited: a short option means the same thing wherever it appears
(``-f`` is ``--format``, ``-o`` is ``--output``, ``-p`` is ``--param``, ``-n`` is ``--name``),
and every command with an output form offers it as ``-f``/``--format``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import typer.main

from qualifica.cli import app

#: What each short option stands for, in every command that has it.
SHORT = {"-f": "--format", "-o": "--output", "-p": "--param", "-n": "--name"}


def commands() -> dict[str, Any]:
    """The commands of the ``qualifica`` group, by name (typer's click objects)."""
    group = typer.main.get_command(app)
    return dict(group.commands)  # type: ignore[attr-defined]


def options(command: Any) -> list[Any]:
    return [p for p in command.params if p.param_type_name == "option"]


def test_short_options_mean_the_same_everywhere() -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for name, command in commands().items():
        for param in options(command):
            shorts = [o for o in param.opts if len(o) == 2]
            longs = [o for o in param.opts if o.startswith("--")]
            for short in shorts:
                seen[short].update(longs)
                assert short in SHORT, f"{name}: {short} is not a known short option"
                assert SHORT[short] in longs, f"{name}: {short} is {longs}, not {SHORT[short]}"
    assert seen["-f"] == {"--format"}


def test_every_command_with_an_output_form_takes_dash_f() -> None:
    with_format = {name for name, command in commands().items()
                   if any("--format" in p.opts for p in options(command))}
    assert with_format == {"validate", "query", "export", "roles-for", "paths", "gap", "match",
                           "curriculum-gaps"}
    for name in with_format:
        option = next(p for p in options(commands()[name]) if "--format" in p.opts)
        assert "-f" in option.opts, name
