"""Reading a file the run did not write: a bounded number of bytes, never waiting for one.

Spec files under the Swagger root, a coverage baseline and the reports ``pytest-seeds
merge`` is given can be anything: a FIFO (opening it would wait for a writer), a device
(``/dev/zero`` never ends), a folder, or a huge file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

NOT_REGULAR = "not a regular file"


def read_limited(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file: one more than ``limit`` tells the caller
    the file is larger. The file is opened without waiting (a FIFO) and never read whole past
    the limit. Raises OSError; its ``strerror`` is :data:`NOT_REGULAR` for a FIFO, a device
    or a folder."""
    with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, NOT_REGULAR, str(path))
        data = file.read(min(info.st_size, limit) + 1)  # read(n) allocates n bytes first
        if len(data) > info.st_size:  # it grew since
            data += file.read(limit + 1 - len(data))
        return data
