"""Marking texts for translation where they are defined, translating them where shown (ui layer).

The desk's source texts are Indonesian (its language); ``self.tr()`` and
``QCoreApplication.translate()`` make them extractable by ``pyside6-lupdate``. A module-level
constant is marked with :func:`QT_TRANSLATE_NOOP` and translated where it is shown.
"""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:
    """Mark ``source`` for translation in ``context``; returns it unchanged (typed as ``str``,
    which Qt's own marker is not).
    """
    return source
