"""Entry point: ``disdukcapil-desk`` and ``python -m disdukcapil_desk``."""

from __future__ import annotations

import sys


def main() -> None:
    """Install the crash hook first, then run the desk (window or command)."""
    if sys.argv[1:] == ["--version"]:  # the answer app.run gives, before logging is loaded
        from disdukcapil_desk import APP_ID, __version__

        sys.stdout.write(f"{APP_ID} {__version__}\n")
        sys.exit(0)
    from disdukcapil_desk.crash import install_excepthook

    install_excepthook()
    from disdukcapil_desk.app import run

    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
