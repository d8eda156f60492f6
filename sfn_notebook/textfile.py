"""Reading a file the user names (a definition, ``@input.json``) as AWS would take its text.

Every command, magic and route that reads a user's file goes through :func:`read_text`, which
reads at most ``limit + 1`` bytes (``/dev/zero`` or a 20 GB log named by mistake costs a
megabyte, not the machine) and turns every way of failing into one
:class:`~sfn_notebook.errors.InputFileError` naming the file.

>>> read_text("/dev/zero", 1024, what="a test")
Traceback (most recent call last):
...
sfn_notebook.errors.InputFileError: /dev/zero: over the 1,024-byte limit for a test
"""

from __future__ import annotations

import os

from sfn_notebook.errors import InputFileError


def read_text(path: str | os.PathLike[str], limit: int, *, what: str) -> str:
    """The UTF-8 text of ``path``, refused when it is over ``limit`` bytes.

    ``what`` names what the limit is for in the error (``"a state machine definition on AWS"``).
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputFileError(f"{os.fspath(path)}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputFileError(f"{os.fspath(path)}: over the {limit:,}-byte limit for {what}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{os.fspath(path)}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}: {exc.reason})"
        ) from None
