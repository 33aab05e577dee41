"""The command line declares an area's commands when one of them is parsed: the help lists
every command with its own line, exactly as the fully declared parser does, and every command
still parses to its handler.
"""

from __future__ import annotations

import argparse
import importlib

import pytest

from disdukcapil_desk import cli
from disdukcapil_desk.cli.parsing import IndonesianArgumentParser, LazyCommands


def _commands(parser: argparse.ArgumentParser) -> LazyCommands:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert isinstance(action.choices, LazyCommands)
    return action.choices


@pytest.mark.parametrize(("area", "listed"), cli.AREA_COMMANDS)
def test_the_list_is_what_each_area_declares(
    area: str, listed: tuple[tuple[str, str], ...]
) -> None:
    commands = IndonesianArgumentParser().add_subparsers()
    importlib.import_module(f"disdukcapil_desk.cli.{area}").add_commands(commands)
    assert tuple((a.dest, a.help) for a in commands._choices_actions) == listed


def test_help_is_the_fully_declared_help_without_declaring_an_area() -> None:
    lazy = cli.build_parser()
    text = lazy.format_help()
    assert _commands(lazy)._pending, "the help declared the areas' commands"
    full = cli.build_parser()
    _commands(full).declare_all()
    assert text == full.format_help()
    for area, listed in cli.AREA_COMMANDS:
        for name, help_text in listed:
            assert name in text and help_text.split()[0] in text, (area, name)


def test_a_command_declares_only_its_own_area_and_parses_to_its_handler() -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["audit", "verify"])
    assert callable(args.handler) and args.command == "audit"
    pending = _commands(parser)._pending
    assert len(pending) == len(cli.AREA_COMMANDS) - 1, "only the audit area was declared"


def test_every_parser_asked_for_declares_every_area_in_the_help_order() -> None:
    parsers = _commands(cli.build_parser())
    names = [name for name, _ in parsers.items()]
    assert not parsers._pending and all(p is not None for p in parsers.values())
    listed = [name for _, commands in cli.AREA_COMMANDS for name, _ in commands]
    assert names[-len(listed) :] == listed


def test_an_unknown_command_is_refused_with_every_choice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as raised:
        cli.build_parser().parse_args(["nosuch"])
    assert raised.value.code == 2
    error = capsys.readouterr().err
    assert "'nosuch'" in error and "'db'" in error and "'update'" in error
