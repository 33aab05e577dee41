"""Small helpers to declare the desk's commands (interface layer)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TypeAlias

# A string: argparse's private class is not subscriptable at run time.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def command_group(commands: Commands, name: str, help_text: str) -> Commands:
    """Add a command that takes an action (``disdukcapil-desk NAME AKSI``); return its actions."""
    group = commands.add_parser(name, help=help_text)
    return group.add_subparsers(dest=f"{name}_command", metavar="AKSI", required=True)


def action(
    actions: Commands, name: str, help_text: str, handler: Callable[..., int], **defaults: Any
) -> argparse.ArgumentParser:
    """Add one action with its handler; return its parser for further arguments."""
    parser = actions.add_parser(name, help=help_text)
    parser.set_defaults(handler=handler, **defaults)
    return parser
