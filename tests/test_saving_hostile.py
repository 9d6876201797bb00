"""Damaged and hostile files, for both loaders (tinynet's .npz, Keras' .keras and
.weights.h5): one row per kind of file, each with the words the error must contain.
Every file is refused before its arrays are read: the rows measure the peak memory
Python allocated while loading (tracemalloc sees NumPy's arrays and zipfile's
buffers) and require it to stay small, and loading into an existing model leaves its
weights and optimizer state exactly as they were (test_errors.py's snapshot).

The zip bombs are what the issue describes: a weight entry of 800 MB of zeros,
deflated into a file of about 780 KB.
"""
import io
import json
import os
import tracemalloc
import zipfile

import h5py
import numpy as np
import pytest

import tinynet
from tinynet.models import load_model
from tinynet.utils import random as tinynet_random

from .helpers import seed_model, toy_digits
from .test_errors import assert_same, snapshot

KERAS_FILES = os.path.join(os.path.dirname(__file__), "reference", "fixtures", "keras_files")
SEED_KERAS = os.path.join(KERAS_FILES, "seed.keras")
SEED_WEIGHTS = os.path.join(KERAS_FILES, "seed.weights.h5")
PEAK_LIMIT = 16 * 2**20  # a refused file may cost its config and headers, never its arrays
X, Y = toy_digits(32)


# -- making files ---------------------------------------------------------------------------------------
def npy(shape, dtype="<f4", data=None, fortran=False):
    """The bytes of an .npy file whose header says ``shape`` and ``dtype``, followed by ``data``."""
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": dtype, "fortran_order": fortran, "shape": tuple(shape)})
    if data is None:
        data = bytes(int(np.prod(shape)) * np.dtype(dtype).itemsize)
    return out.getvalue() + data


def rezip(source, target, replace=None, add=(), deflate=()):
    """Copy the zip ``source`` to ``target``, entry by entry, with some entries' bytes
    replaced (None drops the entry), extra (name, bytes) entries, and some deflated."""
    replace = replace or {}
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = replace.get(info.filename, src.read(info.filename))
            if data is not None:
                dst.writestr(info.filename, data, zipfile.ZIP_DEFLATED if info.filename in deflate else 0)
        for name, data in add:
            dst.writestr(name, data)
    return target


def bomb(source, target, entry, header=b""):
    """``source`` with ``entry`` replaced by 800 MB of zeros, deflated (written a chunk at a time)."""
    rezip(source, target, replace={entry: None})
    with zipfile.ZipFile(target, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open(entry, "w", force_zip64=True) as f:
            f.write(header)
            chunk = bytes(2**22)
            for _ in range(800_000_000 // len(chunk)):
                f.write(chunk)
            f.write(bytes(800_000_000 % len(chunk)))
    return target


def with_h5(source, target, edit):
    """A .keras file (or, for a .weights.h5 source, an HDF5 file) after ``edit(h5)``."""
    if source.endswith(".weights.h5"):
        data = io.BytesIO(open(source, "rb").read())
    else:
        data = io.BytesIO(zipfile.ZipFile(source).read("model.weights.h5"))
    with h5py.File(data, "r+") as h5:
        edit(h5)
    if target.endswith(".weights.h5"):
        with open(target, "wb") as f:
            f.write(data.getvalue())
        return target
    return rezip(source, target, replace={"model.weights.h5": data.getvalue()})


def with_config(source, target, edit):
    """A .keras file whose config.json went through ``edit(config)``."""
    config = json.loads(zipfile.ZipFile(source).read("config.json"))
    edit(config)
    return rezip(source, target, replace={"config.json": json.dumps(config).encode()})


def with_npz_config(source, target, edit):
    with np.load(source, allow_pickle=False) as data:
        config = json.loads(data["config"].tobytes())
    edit(config)
    text = np.frombuffer(json.dumps(config).encode(), np.uint8)
    buffer = io.BytesIO()
    np.save(buffer, text)
    return rezip(source, target, replace={"config.npy": buffer.getvalue()})


def replace_dataset(path, make):
    def edit(h5):
        del h5[path]
        make(h5, path)
    return edit


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    tinynet.utils.set_random_seed(0)
    model = seed_model()
    model.fit(X, Y, epochs=1, verbose=0)
    model.save(folder / "good.npz")
    return str(folder), str(folder / "good.npz")


def make(kind, folder, good_npz):
    """The file of one row (its name says what is wrong with it)."""
    t = lambda name: os.path.join(folder, name)  # noqa: E731
    d = lambda name, shape: (lambda h5, p: h5.create_dataset(p, shape=shape, dtype="f4"))  # noqa: E731
    return {
        # -- tinynet's .npz ---------------------------------------------------------------------------
        "npz bomb": lambda: bomb(good_npz, t("bomb.npz"), "weight_0.npy", npy((200_000_000,), data=b"")),
        "npz header of 1e11 floats": lambda: rezip(good_npz, t("huge.npz"),
                                                   {"weight_0.npy": npy((10**11,), data=bytes(64))}),
        "npz config of huge layers": lambda: with_npz_config(
            good_npz, t("units.npz"), lambda c: c["layers"][1]["config"].update(units=10**9)),
        "npz input of 1e20": lambda: with_npz_config(good_npz, t("input.npz"),
                                                     lambda c: c.update(input_shape=[10**10, 10**10])),
        "npz traversal": lambda: rezip(good_npz, t("dots.npz"), add=[("../../evil.npy", npy((3,)))]),
        "npz absolute": lambda: rezip(good_npz, t("abs.npz"), add=[("/tmp/evil.npy", npy((3,)))]),
        "npz float64": lambda: rezip(good_npz, t("f64.npz"), {"weight_1.npy": npy((16,), "<f8")}),
        "npz big-endian": lambda: rezip(good_npz, t("be.npz"), {"weight_1.npy": npy((16,), ">f4")}),
        "npz pickle": lambda: rezip(good_npz, t("pickle.npz"),
                                    {"weight_1.npy": npy((16,), "|O", data=b"cos\nsystem\n")}),
        "npz fortran": lambda: rezip(good_npz, t("fortran.npz"), {"weight_0.npy": npy((784, 16), fortran=True)}),
        "npz short entry": lambda: rezip(good_npz, t("short.npz"), {"weight_1.npy": npy((16,), data=bytes(8))}),
        "npz crc": lambda: _flip_stored_byte(good_npz, t("crc.npz"), "weight_0.npy"),
        "npz config bomb": lambda: rezip(good_npz, t("cbomb.npz"), {"config.npy": npy((60_000_000,), "|u1")},
                                         deflate=["config.npy"]),
        "npz deep json": lambda: rezip(good_npz, t("deep.npz"), {"config.npy": npy(
            (200_000,), "|u1", data=b"[" * 100_000 + b"]" * 100_000)}),
        "npz layer class": lambda: with_npz_config(good_npz, t("cls.npz"),
                                                   lambda c: c["layers"][0].update({"class": "Layer"})),
        "npz loss class": lambda: with_npz_config(
            good_npz, t("loss.npz"), lambda c: c["compile"].update(loss={"class": "get", "config": {}})),
        # -- Keras' .keras ------------------------------------------------------------------------------
        "keras bomb": lambda: bomb(SEED_KERAS, t("bomb.keras"), "model.weights.h5"),
        "keras config bomb": lambda: rezip(SEED_KERAS, t("cbomb.keras"),
                                           {"config.json": b" " * 60_000_000}, deflate=["config.json"]),
        "keras traversal": lambda: rezip(SEED_KERAS, t("dots.keras"), add=[("../../evil.py", b"print(1)")]),
        "keras assets": lambda: rezip(SEED_KERAS, t("assets.keras"), add=[("assets/x", b"x")]),
        "keras not a zip": lambda: _write(t("text.keras"), b"hello"),
        "keras truncated": lambda: _write(t("trunc.keras"), open(SEED_KERAS, "rb").read()[:90_000]),
        "keras h5 not hdf5": lambda: rezip(SEED_KERAS, t("noh5.keras"), {"model.weights.h5": b"\x89HDF" + bytes(500)}),
        "keras units": lambda: with_config(SEED_KERAS, t("units.keras"),
                                           lambda c: c["config"]["layers"][2]["config"].update(units=10**9)),
        "keras input": lambda: with_config(SEED_KERAS, t("input.keras"), lambda c: c["config"]["layers"][0]["config"]
                                           .update(batch_shape=[None, 10**10, 10**10])),
        "keras deep nesting": lambda: with_config(SEED_KERAS, t("deep.keras"), _nest_40_deep),
        "keras huge dataset": lambda: with_h5(SEED_KERAS, t("huge.keras"),
                                              replace_dataset("layers/dense/vars/0", d(0, (10**11,)))),
        "keras float64": lambda: with_h5(SEED_KERAS, t("f64.keras"), replace_dataset(
            "layers/dense/vars/1", lambda h5, p: h5.create_dataset(p, data=np.zeros(16)))),
        "keras extra group": lambda: with_h5(SEED_KERAS, t("group.keras"), lambda h5: h5.create_group("layers/evil")),
        "keras extra dataset": lambda: with_h5(SEED_KERAS, t("extra.keras"),
                                               lambda h5: h5.create_dataset("layers/dense/vars/2", data=[1.0])),
        "keras soft link": lambda: with_h5(SEED_KERAS, t("soft.keras"), replace_dataset(
            "layers/dense/vars/1", lambda h5, p: h5.__setitem__(p, h5py.SoftLink("/layers/dense_1/vars/1")))),
        "keras external link": lambda: with_h5(SEED_KERAS, t("ext.keras"), replace_dataset(
            "layers/dense/vars/0", lambda h5, p: h5.__setitem__(p, h5py.ExternalLink(SEED_WEIGHTS,
                                                                                     "/layers/dense/vars/0")))),
        "keras external storage": lambda: with_h5(SEED_KERAS, t("extstore.keras"), replace_dataset(
            "layers/dense/vars/1", lambda h5, p: h5.create_dataset(p, shape=(16,), dtype="f4",
                                                                   external=[("/etc/hostname", 0, 64)]))),
        "keras missing dataset": lambda: with_h5(SEED_KERAS, t("missing.keras"),
                                                 lambda h5: h5.__delitem__("layers/dense_1/vars/1")),
        "keras optimizer scalar": lambda: with_h5(SEED_KERAS, t("iters.keras"), replace_dataset(
            "optimizer/vars/0", lambda h5, p: h5.create_dataset(p, data=np.int64(-5)))),
    }[kind]()


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def _flip_stored_byte(source, target, entry):
    with zipfile.ZipFile(source) as z:
        info = z.getinfo(entry)
        offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 200
    data = bytearray(open(source, "rb").read())
    data[offset] ^= 0xFF
    return _write(target, bytes(data))


def _nest_40_deep(config):
    inner = dict(config)
    for _ in range(40):
        inner = {"module": "keras", "class_name": "Sequential", "registered_name": None,
                 "config": {"name": "s", "layers": [inner]}}
    config.clear()
    config.update(inner)


LOAD_MODEL_CASES = [
    ("npz bomb", ["declare", "more than 100 times the file's own", "zip bomb"]),
    ("npz header of 1e11 floats", ["'weight_0.npy' holds an array of shape (100000000000,)",
                                   "expected shape (784, 16)"]),
    ("npz config of huge layers", ["config implies", "bytes of weights, more than 100 times"]),
    ("npz input of 1e20", ["the input of 'sequential", "of more than"]),
    ("npz traversal", ["an entry named '../../evil.npy'", "expected only config.npy"]),
    ("npz absolute", ["an entry named '/tmp/evil.npy'"]),
    ("npz float64", ["'weight_1.npy' holds an array of shape (16,) and dtype float64", "dtype float32"]),
    ("npz big-endian", ["dtype >f4", "dtype float32"]),
    ("npz pickle", ["dtype object"]),
    ("npz fortran", ["(Fortran order)"]),
    ("npz short entry", ["'weight_1.npy' declares", "takes"]),
    ("npz crc", ["'weight_0.npy' is truncated or damaged", "CRC"]),
    ("npz config bomb", ["more than 100 times"]),
    ("npz deep json", ["'config' entry is damaged"]),
    ("npz layer class", ["Unknown layer class: 'Layer'", "'Dense'"]),
    ("npz loss class", ["Unknown loss: 'get'", "'Huber'"]),
    ("keras bomb", ["declare", "more than 100 times the file's own", "zip bomb"]),
    ("keras config bomb", ["more than 100 times"]),
    ("keras traversal", ["an entry named '../../evil.py'", "expected only config.json"]),
    ("keras assets", ["an entry named 'assets/x'"]),
    ("keras not a zip", ["not a readable Keras model file", "Keras 3's format",
                         "truncated, damaged or of another kind"]),
    ("keras truncated", ["not a readable Keras model file", "truncated, damaged or of another kind"]),
    ("keras h5 not hdf5", ["weights are not a readable HDF5 file"]),
    ("keras units", ["config implies", "bytes of weights, more than 100 times"]),
    ("keras input", ["the input layer's shape", "of more than"]),
    ("keras deep nesting", ["nested more than 32 deep"]),
    ("keras huge dataset", ["'layers/dense/vars/0' has shape (100000000000,)", "expected shape (784, 16)"]),
    ("keras float64", ["'layers/dense/vars/1' has shape (16,) and dtype float64", "dtype float32"]),
    ("keras extra group", ["holds group 'layers/evil', which the model does not have"]),
    ("keras extra dataset", ["holds dataset 'layers/dense/vars/2', which the model does not have"]),
    ("keras soft link", ["a link of kind SoftLink at 'layers/dense/vars/1'", "only groups and datasets"]),
    ("keras external link", ["a link of kind ExternalLink at 'layers/dense/vars/0'"]),
    ("keras external storage", ["'layers/dense/vars/1' keeps its data outside the file"]),
    ("keras missing dataset", ["lacks ['layers/dense_1/vars/1']"]),
    ("keras optimizer scalar", ["iterations=-5", "a count >= 0"]),
]


def peak_while(call):
    """(the exception ``call`` raised, the peak memory Python allocated meanwhile)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        with pytest.raises(ValueError) as info:
            call()
        return info.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("kind,words", LOAD_MODEL_CASES, ids=[c[0] for c in LOAD_MODEL_CASES])
def test_hostile_files_are_refused_before_their_arrays_are_read(kind, words, files):
    path = make(kind, *files)
    state = tinynet_random.get_state()
    error, peak = peak_while(lambda: load_model(path))
    for word in words + [str(path)]:
        assert word in str(error), f"{word!r} not in: {error}"
    assert peak < PEAK_LIMIT, f"loading took {peak / 2**20:.0f} MB before refusing"
    assert tinynet_random.get_state() == state


def test_a_bomb_is_far_smaller_than_it_declares(files):
    """The row 'npz bomb' is the issue's file: about 780 KB, declaring 800 MB."""
    path = make("npz bomb", *files)
    assert os.path.getsize(path) < 1_000_000
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("weight_0.npy").file_size >= 800_000_000


LOAD_WEIGHTS_CASES = [
    ("npz bomb", ["more than 100 times"]),
    ("npz header of 1e11 floats", ["expects weights of shapes", "(100000000000,)"]),
    ("npz float64", ["dtype float64"]),
    ("npz crc", ["truncated or damaged"]),
    ("keras bomb", ["more than 100 times"]),
    ("keras huge dataset", ["has shape (100000000000,)"]),
    ("keras external link", ["ExternalLink"]),
    ("keras missing dataset", ["lacks"]),
]


@pytest.mark.parametrize("kind,words", LOAD_WEIGHTS_CASES, ids=[c[0] for c in LOAD_WEIGHTS_CASES])
def test_hostile_weights_leave_the_model_unchanged(kind, words, files):
    path = make(kind, *files)
    model = seed_model()
    model.fit(X, Y, epochs=1, verbose=0)
    before = snapshot(model)
    error, peak = peak_while(lambda: model.load_weights(path))
    for word in words:
        assert word in str(error), f"{word!r} not in: {error}"
    assert peak < PEAK_LIMIT
    assert_same(before, snapshot(model))


H5_WEIGHTS_CASES = [
    ("soft link", lambda h5: (h5.__delitem__("layers/dense/vars/1"),
                              h5.__setitem__("layers/dense/vars/1", h5py.SoftLink("/layers/dense_1/vars/1"))),
     ["a link of kind SoftLink at 'layers/dense/vars/1'"]),
    ("extra dataset", lambda h5: h5.create_dataset("layers/flatten/vars/0", data=[1.0]),
     ["holds dataset 'layers/flatten/vars/0'"]),
    ("wrong shape", lambda h5: (h5.__delitem__("layers/dense_1/vars/0"),
                                h5.create_dataset("layers/dense_1/vars/0", shape=(10**9, 10), dtype="f4")),
     ["'layers/dense_1/vars/0' has shape (1000000000, 10)", "expected shape (16, 10)"]),
]


@pytest.mark.parametrize("case,edit,words", H5_WEIGHTS_CASES, ids=[c[0] for c in H5_WEIGHTS_CASES])
def test_hostile_weights_h5_files_leave_the_model_unchanged(case, edit, words, tmp_path):
    path = with_h5(SEED_WEIGHTS, str(tmp_path / "w.weights.h5"), edit)
    model = seed_model()
    model.fit(X, Y, epochs=1, verbose=0)
    before = snapshot(model)
    error, peak = peak_while(lambda: model.load_weights(path))
    for word in words + ["not a readable Keras weights file"]:
        assert word in str(error), f"{word!r} not in: {error}"
    assert peak < PEAK_LIMIT
    assert_same(before, snapshot(model))


def test_not_an_hdf5_file(tmp_path):
    (tmp_path / "w.weights.h5").write_text("hello")
    model = seed_model()
    with pytest.raises(ValueError, match="not a readable Keras weights file: its weights are not a readable HDF5"):
        model.load_weights(tmp_path / "w.weights.h5")
    with pytest.raises(FileNotFoundError, match="No Keras weights file at"):
        model.load_weights(tmp_path / "absent.weights.h5")


def test_a_good_file_passes_the_same_checks(files):
    """The bounds are not so tight that real files fail them: the untouched files load."""
    load_model(files[1])
    load_model(SEED_KERAS)
    seed_model(compile=False).load_weights(SEED_WEIGHTS)
