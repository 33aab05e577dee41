"""Small helpers to declare the desk's commands (interface layer)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn, TypeAlias

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


# argparse's own words (its gettext msgids), in Indonesian. argparse looks them up through the
# module's ``_``/``ngettext`` at the moment it formats; :class:`IndonesianArgumentParser`
# answers those lookups from this table while it builds, parses and prints.
ARGPARSE_WORDS = {
    "usage: ": "penggunaan: ",
    "positional arguments": "argumen posisi",
    "options": "opsi",
    "optional arguments": "opsi",
    "subcommands": "perintah",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "show program's version number and exit": "tampilkan versi program lalu keluar",
    "%(prog)s: error: %(message)s\n": "%(prog)s: galat: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argumen %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "argumen berikut wajib diisi: %s",
    "one of the arguments %s is required": "salah satu argumen %s wajib diisi",
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "pilihan tidak dikenal: %(value)r (pilih salah satu: %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "nilai tidak sah: %(value)r",
    "expected one argument": "perlu satu nilai",
    "expected at most one argument": "paling banyak satu nilai",
    "expected at least one argument": "paling sedikit satu nilai",
    "not allowed with argument %s": "tidak boleh bersama argumen %s",
    "ignored explicit argument %r": "nilai %r diabaikan",
    "ambiguous option: %(option)s could match %(matches)s": (
        "opsi ambigu: %(option)s bisa berarti %(matches)s"
    ),
    "unexpected option string: %s": "opsi tak terduga: %s",
    "can't open '%(filename)s': %(error)s": "tidak dapat membuka '%(filename)s': %(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "perintah %(parser_name)r tidak dikenal (pilihan: %(choices)s)"
    ),
    "cannot have multiple subparser arguments": "hanya boleh satu kelompok perintah",
    "expected %s argument": "perlu %s nilai",
    "expected %s arguments": "perlu %s nilai",
}


def _translate(message: str) -> str:
    return ARGPARSE_WORDS.get(message, message)


def _translate_plural(singular: str, plural: str, count: int) -> str:
    return _translate(singular if count == 1 else plural)


@contextmanager
def _indonesian() -> Iterator[None]:
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = _translate  # type: ignore[attr-defined]
    argparse.ngettext = _translate_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class IndonesianArgumentParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose own words (usage, options, help, errors) are Indonesian.

    Sub-command parsers are of the same class (argparse makes them with the parent's class).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Build with Indonesian group titles and ``-h`` help."""
        with _indonesian():
            super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        """Add an argument; ``action="version"`` gets an Indonesian help text."""
        if kwargs.get("action") == "version":
            kwargs.setdefault("help", ARGPARSE_WORDS["show program's version number and exit"])
        with _indonesian():
            return super().add_argument(*args, **kwargs)

    def add_subparsers(self, **kwargs: Any) -> Any:
        """Add sub-commands (titles in Indonesian)."""
        with _indonesian():
            return super().add_subparsers(**kwargs)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        """Parse; every error message is Indonesian."""
        with _indonesian():
            return super().parse_known_args(args, namespace)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> Any:
        """Parse; unknown arguments are reported in Indonesian."""
        with _indonesian():
            return super().parse_args(args, namespace)

    def format_usage(self) -> str:
        """The usage line, in Indonesian."""
        with _indonesian():
            return super().format_usage()

    def format_help(self) -> str:
        """The whole help text, in Indonesian."""
        with _indonesian():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        """Print the usage and the error (``galat: …``), exit with status 2."""
        with _indonesian():
            super().error(message)


class LazyCommands(dict[str, argparse.ArgumentParser | None]):
    """The parsers of the desk's commands by name, each area's declared when first needed.

    Declaring every command's arguments costs more than printing the help, and a command needs
    only its own: the names and one-line helps are listed up front (the help lists them and
    argparse checks a name against them), an area's parsers are declared when one of its
    commands is looked up, every area's when all parsers are asked for (``items``, ``values``)
    or a name is not listed (an area may have added a command the list does not know yet).
    """

    def __init__(self, commands: Commands) -> None:
        """Serve the parsers of ``commands`` (its argparse map is replaced by this one, with
        the parsers it already holds).
        """
        super().__init__(commands._name_parser_map)
        self._commands = commands
        self._areas: dict[str, Callable[[Commands], None]] = {}
        self._pending: list[Callable[[Commands], None]] = []
        self._declaring = False
        commands._name_parser_map = commands.choices = self  # type: ignore[assignment]

    def add_area(
        self, declare: Callable[[Commands], None], listed: Sequence[tuple[str, str]]
    ) -> None:
        """List an area's commands (name, help); ``declare`` adds their parsers when needed."""
        pseudo = self._commands._ChoicesPseudoAction
        for name, help_text in listed:
            self._commands._choices_actions.append(pseudo(name, (), help_text))
            super().__setitem__(name, None)
            self._areas[name] = declare
        self._pending.append(declare)

    def declare_all(self) -> None:
        """Declare every area's parsers."""
        for declare in list(self._pending):
            self._declare(declare)

    def _declare(self, declare: Callable[[Commands], None]) -> None:
        if declare not in self._pending or self._declaring:
            return
        self._pending.remove(declare)
        order = list(super().keys())
        helps = list(self._commands._choices_actions)
        for name in [n for n, d in self._areas.items() if d is declare]:
            super().__delitem__(name)  # argparse refuses a name already present
        self._declaring = True
        try:
            declare(self._commands)
        finally:
            self._declaring = False
        # The listed order and help lines stay; what the list does not know yet follows.
        parsers = dict(super().items())
        super().clear()
        for name in [*order, *(n for n in parsers if n not in order)]:
            super().__setitem__(name, parsers.get(name))
        known = {action.dest for action in helps}
        added = self._commands._choices_actions[len(helps) :]
        self._commands._choices_actions[:] = helps + [a for a in added if a.dest not in known]

    def __getitem__(self, name: str) -> argparse.ArgumentParser:
        """The parser of command ``name``, its area declared first when needed."""
        if name not in self:
            raise KeyError(name)
        parser = super().__getitem__(name)
        if parser is None:
            self._declare(self._areas[name])
            parser = super().__getitem__(name)
        if parser is None:
            raise KeyError(f"{name}: listed, but its area did not declare it")
        return parser

    def __contains__(self, name: object) -> bool:
        """Whether ``name`` is a command (a name not listed declares every area first)."""
        if not super().__contains__(name) and not self._declaring:
            self.declare_all()
        return super().__contains__(name)

    def get(self, name: str, default: Any = None) -> Any:
        """The parser of ``name`` (declared), or ``default``."""
        if name not in self:
            return default
        return self[name]

    def items(self) -> Any:
        """Every command and its parser (every area declared)."""
        self.declare_all()
        return super().items()

    def values(self) -> Any:
        """Every command's parser (every area declared)."""
        self.declare_all()
        return super().values()
