"""Size of the PyInstaller bundle per package: what each Python package and library costs.

Reads ``dist/disdukcapil-desk`` (``--build`` first runs ``scripts/build-bundle --no-smoke``)
and groups every file by what it comes from:

* a package folder of ``_internal/`` (``cryptography``, ``lxml``, ``pillow.libs`` → ``PIL``);
  PySide6 is split into its Qt libraries, ICU, plugins (per kind) and Python bindings;
* a shared library PyInstaller copied to the top of ``_internal/`` (``libcups.so.2``, …) goes
  to the group whose binaries link it, following the ELF ``DT_NEEDED`` entries; one linked by
  several groups is counted under ``shared libraries``;
* the Python modules compiled into the executable's PYZ archive go to their top-level package
  (compressed size), the rest of the executable is the bootloader.

Prints the top contributors and the total (MiB = 2**20 bytes; the budget the bundle test holds
is 142 MiB). ``--json FILE`` writes the figures: for each a name, the desk value, the floor
(none: a bundle has no bare-library floor), the unit and the ratio (to the budget for the
total). Reading the PYZ archive needs PyInstaller: when this Python lacks it, the build venv's
Python (``build/bundle-venv``) lists it.

    python bench/bundle_size.py [--build] [--dist DIR] [--top N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "disdukcapil-desk"
BUDGET_MIB = 142  # SIZE_LIMIT of tests/integration/test_bundle.py
MIB = 2**20

# Folders of _internal/ whose files belong to another package's name.
ALIASES = {
    "pillow.libs": "PIL",
    "psycopg_binary.libs": "psycopg_binary",
    "pypdfium2_raw": "pypdfium2",
    "lib-dynload": "python (stdlib extensions)",
    "base_library.zip": "python (stdlib, base_library.zip)",
}


def main(argv: list[str] | None = None) -> int:
    """Measure the bundle and print the table; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="run scripts/build-bundle first")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist" / APP_ID)
    parser.add_argument("--top", type=int, default=30, help="rows to print (default 30)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--pyz-toc", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.pyz_toc:  # the helper mode run with the build venv's Python
        json.dump(pyz_entries(args.pyz_toc), sys.stdout)
        return 0
    if args.build:
        subprocess.run([str(ROOT / "scripts" / "build-bundle"), "--no-smoke"], check=True)
    if not args.dist.is_dir():
        parser.error(f"{args.dist} is not a bundle folder (build it, or pass --build)")
    groups = measure(args.dist)
    total = sum(groups.values())
    print_table(groups, total, args.top)
    if args.json:
        args.json.write_text(json.dumps(figures(groups, total), indent=2) + "\n", encoding="utf-8")
    return 0


def measure(dist: Path) -> Counter[str]:
    """Bytes of the bundle folder ``dist`` per group (the sum is the unpacked size)."""
    groups: Counter[str] = Counter()
    internal = dist / "_internal"
    top_libraries: dict[str, Path] = {}
    owners: dict[str, str] = {}
    for path in sorted(p for p in dist.rglob("*") if p.is_file() or p.is_symlink()):
        size = path.lstat().st_size
        if path.is_symlink():
            groups["(links)"] += size
            continue
        relative = path.relative_to(internal) if path.is_relative_to(internal) else None
        if relative is None:
            groups.update(executable_groups(path))
        elif len(relative.parts) == 1 and is_library(relative.name):
            top_libraries[relative.name] = path
        else:
            owners[path.name] = group_of(relative)
            groups[owners[path.name]] += size
    for name, group in attribute_libraries(top_libraries, internal, owners).items():
        groups[group] += top_libraries[name].lstat().st_size
    return groups


def is_library(name: str) -> bool:
    """Whether a file name is a shared library (``.so``, ``.so.6``, ``.dll``, ``.dylib``)."""
    return ".so" in name or name.endswith((".dll", ".pyd", ".dylib"))


def group_of(relative: Path) -> str:
    """The group of a file below ``_internal/`` given its relative path."""
    parts = relative.parts
    head = parts[0]
    if head == "PySide6":
        return pyside_group(parts)
    if head.endswith(".dist-info"):
        head = head.split("-")[0]
    if head.startswith(("python3", "lib-dynload")) or "lib-dynload" in parts:
        return ALIASES["lib-dynload"]
    if len(parts) == 1 and head.startswith("libpython"):
        return "python (interpreter)"
    if len(parts) == 1 and head.endswith((".so", ".pyd")) and "." in head:
        return head.split(".")[0].lstrip("_") + " (extension)"
    return ALIASES.get(head, head)


def pyside_group(parts: tuple[str, ...]) -> str:
    """PySide6's files: Qt libraries, ICU, plugins per kind, Python bindings."""
    name = parts[-1]
    if "plugins" in parts:
        index = parts.index("plugins")
        return f"PySide6: plugins/{parts[index + 1] if len(parts) > index + 2 else ''}"
    if name.startswith(("libicu", "icu")):
        return "PySide6: ICU (Qt's Unicode data)"
    if name.startswith(("libQt6", "Qt6")):
        return "PySide6: Qt libraries"
    if "translations" in parts:
        return "PySide6: translations"
    return "PySide6: bindings"


def attribute_libraries(
    libraries: dict[str, Path], internal: Path, owners: dict[str, str]
) -> dict[str, str]:
    """Give each top-level library the group of the binaries linking it (or several)."""
    needed_by: dict[str, set[str]] = defaultdict(set)
    binaries = [p for p in internal.rglob("*") if p.is_file() and is_library(p.name)]
    binaries += [p for p in internal.parent.iterdir() if p.is_file()]
    for binary in binaries:
        user = owners.get(binary.name) or binary.name
        for name in elf_needed(binary):
            if name in libraries and name != binary.name:
                needed_by[name].add(user)
    # Resolve chains: a library needed only by another top-level library takes its owner.
    result: dict[str, str] = {}

    def resolve(name: str, seen: frozenset[str]) -> set[str]:
        found: set[str] = set()
        for user in needed_by.get(name, set()):
            if user in libraries and user not in seen:
                found |= resolve(user, seen | {user})
            elif user not in libraries:
                found.add(user)
        return found

    for name in libraries:
        users = resolve(name, frozenset({name}))
        if not users:
            result[name] = "python (interpreter)" if "python" in name else f"(unlinked) {name}"
        elif len(users) == 1:
            result[name] = users.pop()
        else:
            result[name] = "shared libraries (several packages)"
    return result


def elf_needed(path: Path) -> list[str]:
    """The ``DT_NEEDED`` names of a 64-bit little-endian ELF file ([] for anything else)."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return []
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [
        struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)
    ]
    names: list[str] = []
    for _name, kind, _flags, _addr, offset, size, link, *_ in sections:
        if kind != 6:  # SHT_DYNAMIC
            continue
        strtab_offset = sections[link][4]
        for at in range(offset, offset + size, 16):
            tag, value = struct.unpack_from("<qQ", data, at)
            if tag == 0:
                break
            if tag == 1:  # DT_NEEDED
                end = data.index(b"\0", strtab_offset + value)
                names.append(data[strtab_offset + value : end].decode())
    return names


def executable_groups(exe: Path) -> Counter[str]:
    """The executable: its PYZ modules per top-level package, the rest is the bootloader."""
    groups: Counter[str] = Counter()
    entries = pyz_entries_any(exe)
    for name, length in entries.items():
        top = name.split(".")[0]
        groups[f"{ALIASES.get(top, top)}"] += length
    groups["(bootloader, PYZ index)"] += exe.lstat().st_size - sum(entries.values())
    return groups


def pyz_entries_any(exe: Path) -> dict[str, int]:
    """The PYZ modules and their compressed sizes, read by whichever Python has PyInstaller."""
    try:
        return pyz_entries(exe)
    except ImportError:
        pass
    python = ROOT / "build" / "bundle-venv" / ("Scripts" if os.name == "nt" else "bin") / "python"
    if not python.exists():
        print("(no PyInstaller to read the PYZ archive: counted as one file)", file=sys.stderr)
        return {}
    done = subprocess.run(
        [str(python), __file__, "--pyz-toc", str(exe)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout))


def pyz_entries(exe: Path) -> dict[str, int]:
    """Needs PyInstaller: module name → compressed bytes in the executable's PYZ archive."""
    from PyInstaller.archive.readers import CArchiveReader  # type: ignore[import-untyped]

    archive = CArchiveReader(str(exe))
    sizes: dict[str, int] = {}
    for name, entry in archive.toc.items():
        if entry[-1] == "z":
            pyz = archive.open_embedded_archive(name)
            sizes.update({module: item[2] for module, item in pyz.toc.items()})
    return sizes


def print_table(groups: Counter[str], total: int, top: int) -> None:
    """The top contributors, the rest summed up, and the total."""
    print(f"{'group':<46}{'MiB':>8}{'share':>8}")
    shown = groups.most_common(top)
    for name, size in shown:
        print(f"{name:<46}{size / MIB:>8.2f}{size / total:>8.1%}")
    rest = total - sum(size for _, size in shown)
    if rest:
        print(f"{f'({len(groups) - len(shown)} more)':<46}{rest / MIB:>8.2f}{rest / total:>8.1%}")
    print(f"{'total':<46}{total / MIB:>8.2f}   ({total:,} bytes; budget {BUDGET_MIB} MiB)")


def figures(groups: Counter[str], total: int) -> list[dict[str, object]]:
    """The JSON figures: the total against the budget, then every group."""
    rows: list[dict[str, object]] = [
        {
            "name": "bundle total",
            "desk": round(total / MIB, 2),
            "floor": None,
            "unit": "MiB",
            "ratio": None,
            "budget": BUDGET_MIB,
            "budget_ratio": round(total / MIB / BUDGET_MIB, 3),
            "bytes": total,
        }
    ]
    for name, size in groups.most_common():
        rows.append(
            {
                "name": f"bundle: {name}",
                "desk": round(size / MIB, 3),
                "floor": None,
                "unit": "MiB",
                "ratio": None,
                "bytes": size,
            }
        )
    return rows


if __name__ == "__main__":
    sys.exit(main())
