"""Peak memory of one seed-model epoch on all of MNIST, against the data's size.

    /usr/bin/time -v python3 -m benchmarks.memory [--quick]

prints the sizes of the data it holds; /usr/bin/time prints the peak resident
set ("Maximum resident set size"). Two baselines put the number in context:
``--baseline`` stops after importing and loading (no float32 copy, no training).
"""
import resource
import sys

import tinynet
from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential


def peak_mib():
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv):
    (x_train, y_train), _ = tinynet.datasets.mnist.load_data()
    print(f"uint8 images as shipped: {x_train.nbytes / 2**20:.0f} MiB")
    if "--baseline" in argv:
        return
    print(f"peak after loading: {peak_mib():.0f} MiB")
    x = x_train.astype("float32")
    x /= 255.0  # in place: x_train.astype("float32") / 255.0 would hold two float32 copies at once
    print(f"float32 training set: {x.nbytes / 2**20:.0f} MiB; peak after converting: {peak_mib():.0f} MiB")
    n = 2_000 if "--quick" in argv else len(x)
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[:64], y_train[:64], epochs=1, batch_size=32, verbose=0)
    print(f"peak after a first fit on 64 images (kernels loaded, threads started): {peak_mib():.0f} MiB")
    model.fit(x[:n], y_train[:n], epochs=1, batch_size=32, verbose=0)
    print(f"trained one epoch on {n} images; peak: {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main(sys.argv[1:])
