"""Reading a zip archive (tinynet's ``.npz``, Keras' ``.keras``) without trusting it.

Nothing in a file is unpickled or executed, and no entry is read before it is
checked, in this order:
  1. the entry names must be names the format has (so no ``../`` paths, no
     duplicates, no strays), and no entry may be encrypted or use a compression
     other than none or deflate;
  2. the sizes the entries declare once decompressed, added up, may be at most
     ``MAX_EXPANSION`` times the size of the file itself (a zip bomb declares far more);
  3. an entry is read only once the loader knows, from the config, how many
     bytes it must hold; the entry must declare exactly that many, and no more
     are ever decompressed. An ``.npy`` entry's header (its shape and dtype) is
     read and compared with the config before its data is.
The memory a file can make a loader take is thus bounded by its own size.
"""
import math
import os
import zipfile

import numpy as np

MAX_EXPANSION = 100         # Keras' own bound for the entries of its archives
CONFIG_LIMIT = 16 * 2**20   # a config of thousands of layers takes a few MB
CHUNK = 2**20               # data is decompressed a MB at a time, straight into its array
_NPY_VERSIONS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError,
               NotImplementedError, RuntimeError)


class FileError(ValueError):
    """A file that cannot be read as what it was asked to be: the message names the
    file, what it should have been, and what is wrong."""

    def __init__(self, path, what, problem):
        super().__init__(f"{os.fspath(path)!r} is not a readable {what} file: {problem}")


def bytes_of(shape, dtype):
    """How many bytes an array of this shape and dtype takes (a Python int: no overflow)."""
    return math.prod(shape) * np.dtype(dtype).itemsize


class Archive:
    """A zip file opened for checked reading:
    ``with Archive(path, "tinynet model", "a tinynet .npz") as archive: ...``."""

    def __init__(self, path, what, kind):
        self.path, self.what = os.fspath(path), what
        if not os.path.exists(self.path):
            raise FileNotFoundError(f"No {what} file at {self.path!r}.")
        self.file_size = os.path.getsize(self.path)
        try:
            self.zip = zipfile.ZipFile(self.path)
        except _ZIP_ERRORS as err:
            raise self.error(f"expected {kind}. Received: a file that is truncated, damaged or of another "
                             f"kind ({err})") from None
        self.infos = {}
        try:
            self._check_entries()
        except BaseException:
            self.zip.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.zip.close()

    def error(self, problem):
        return FileError(self.path, self.what, problem)

    def _check_entries(self):
        declared = 0
        for info in self.zip.infolist():
            if info.filename in self.infos:
                raise self.error(f"the entry {info.filename!r} appears twice")
            if info.flag_bits & 0x1:
                raise self.error(f"the entry {info.filename!r} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise self.error(f"the entry {info.filename!r} uses a compression other than none or deflate")
            if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
                raise self.error(f"the entry {info.filename!r} is stored uncompressed, yet declares "
                                 f"{info.file_size} bytes in {info.compress_size}")
            self.infos[info.filename] = info
            declared += info.file_size
        if declared > MAX_EXPANSION * self.file_size:
            raise self.error(f"its entries declare {declared:,} bytes once decompressed, more than "
                             f"{MAX_EXPANSION} times the file's own {self.file_size:,} bytes (a zip bomb?)")

    @property
    def names(self):
        return list(self.infos)

    def check_names(self, allowed, expected_what):
        """Every entry name must pass ``allowed(name)``; else name the first that does not."""
        for name in self.infos:
            if not allowed(name):
                raise self.error(f"it holds an entry named {name!r}; expected only {expected_what}")

    def declared_size(self, name):
        return self.infos[name].file_size

    def read(self, name, limit):
        """The bytes of entry ``name``, which may declare at most ``limit`` bytes."""
        size = self.declared_size(name)
        if size > limit:
            raise self.error(f"its entry {name!r} declares {size:,} bytes; at most {limit:,} expected")
        out = bytearray(size)
        self._read_into(name, memoryview(out), skip=0)
        return bytes(out)

    def npy_header(self, name):
        """(shape, dtype, fortran_order, header length) of an ``.npy`` entry, from its
        header alone: the data is not read."""
        try:
            with self.zip.open(name) as f:
                version = np.lib.format.read_magic(f)
                if version not in _NPY_VERSIONS:
                    raise ValueError(f"unsupported .npy version {version}")
                shape, fortran, dtype = _NPY_VERSIONS[version](f)
                return shape, dtype, fortran, f.tell()
        except _ZIP_ERRORS as err:
            raise self.error(f"the header of its entry {name!r} is damaged ({err})") from None

    def check_npy(self, name, shape, dtype):
        """Check an ``.npy`` entry without reading its data: its header must say exactly
        ``shape`` and ``dtype`` (C order), and the entry must declare exactly the bytes
        those take. Returns the header's length."""
        got_shape, got_dtype, fortran, offset = self.npy_header(name)
        dtype = np.dtype(dtype)
        if tuple(got_shape) != tuple(shape) or got_dtype != dtype or fortran:
            raise self.error(f"its entry {name!r} holds an array of shape {tuple(got_shape)} and dtype "
                             f"{got_dtype}{' (Fortran order)' if fortran else ''}; expected shape "
                             f"{tuple(shape)} and dtype {dtype}")
        if self.declared_size(name) != offset + bytes_of(shape, dtype):
            raise self.error(f"its entry {name!r} declares {self.declared_size(name):,} bytes; an array of "
                             f"shape {tuple(shape)} and dtype {dtype} takes {offset + bytes_of(shape, dtype):,}")
        return offset

    def read_npy(self, name, shape, dtype):
        """The array of an ``.npy`` entry, as a new array, checked first (``check_npy``)."""
        offset = self.check_npy(name, shape, dtype)
        out = np.empty(shape, dtype)
        self._read_into(name, memoryview(out.reshape(-1)).cast("B"), skip=offset)
        return out

    def _read_into(self, name, view, skip):
        """Decompress entry ``name`` into ``view`` after ``skip`` bytes, a chunk at a time.
        Reading to the end lets zipfile check the entry's CRC."""
        try:
            with self.zip.open(name) as f:
                f.read(skip)
                done = 0
                while done < len(view):
                    chunk = f.read(min(CHUNK, len(view) - done))
                    if not chunk:
                        raise EOFError(f"it ends after {done:,} of {len(view):,} bytes")
                    view[done:done + len(chunk)] = chunk
                    done += len(chunk)
                f.read(1)  # at the end: zipfile compares the CRC here
        except _ZIP_ERRORS as err:
            raise self.error(f"its entry {name!r} is truncated or damaged ({err})") from None
