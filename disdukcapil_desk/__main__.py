"""Entry point: ``disdukcapil-desk`` and ``python -m disdukcapil_desk``."""

from __future__ import annotations

import sys


def main() -> None:
    """Install the crash hook first, then run the desk (window or command)."""
    from disdukcapil_desk.crash import install_excepthook

    install_excepthook()
    from disdukcapil_desk.app import run

    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
