"""Atomic writes: a file is written under a temporary name beside its target,
flushed to disk, then renamed over the target. A crash mid-save leaves the old
file whole; a reader never sees half a file."""
import os
import tempfile


def write_atomically(path, write):
    """Call ``write(f)`` on a temporary file beside ``path``, then rename it to ``path``."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
