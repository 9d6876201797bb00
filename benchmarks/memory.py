"""Peak memory of training and evaluating, against the data's size.

    /usr/bin/time -v python3 -m benchmarks.memory [--quick]              # one seed-model epoch, all of MNIST
    /usr/bin/time -v python3 -m benchmarks.memory --convnet [--quick]    # one convnet epoch (54,000 images)
    /usr/bin/time -v python3 -m benchmarks.memory --convnet-evaluate     # the convnet's evaluate, 10,000 images

prints the sizes of the data it holds; /usr/bin/time prints the peak resident
set ("Maximum resident set size"). Two baselines put the number in context:
``--baseline`` stops after importing and loading (no float32 copy, no training).
The convnet works batch by batch: a batch's im2col for its second layer at once
would take 17.8 MB at batch 128, and 1.4 GB for the 10,000 test images in one
piece; the kernels make one image's at a time.
"""
import resource
import sys

import tinynet
from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential

from .training import convnet


def peak_mib():
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed_epoch(x, y, n):
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[:64], y[:64], epochs=1, batch_size=32, verbose=0)
    print(f"peak after a first fit on 64 images (kernels loaded, threads started): {peak_mib():.0f} MiB")
    model.fit(x[:n], y[:n], epochs=1, batch_size=32, verbose=0)
    print(f"trained one epoch on {n} images; peak: {peak_mib():.0f} MiB")


def convnet_run(x, y, x_test, y_test, n, evaluate):
    """One convnet epoch on n images at batch 128 (the example's), or its evaluate on
    the test images (Keras' default batch of 32), after a first fit on 256 images."""
    model = convnet()
    x, x_test = x.reshape(-1, 28, 28, 1), x_test.reshape(-1, 28, 28, 1)
    y, y_test = tinynet.utils.to_categorical(y, 10), tinynet.utils.to_categorical(y_test, 10)
    print(f"one-hot labels: {y.nbytes / 2**20:.0f} MiB")
    model.fit(x[:256], y[:256], epochs=1, batch_size=128, verbose=0)
    print(f"peak after a first fit on 256 images (kernels loaded, threads started): {peak_mib():.0f} MiB")
    if evaluate:
        loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
        print(f"evaluated {len(x_test)} test images (accuracy {accuracy:.4f}); peak: {peak_mib():.0f} MiB")
    else:
        model.fit(x[:n], y[:n], epochs=1, batch_size=128, verbose=0)
        print(f"trained one convnet epoch on {n} images; peak: {peak_mib():.0f} MiB")


def main(argv):
    (x_train, y_train), (x_test, y_test) = tinynet.datasets.mnist.load_data()
    print(f"uint8 images as shipped: {x_train.nbytes / 2**20:.0f} MiB")
    if "--baseline" in argv:
        return
    print(f"peak after loading: {peak_mib():.0f} MiB")
    x = x_train.astype("float32")
    x /= 255.0  # in place: x_train.astype("float32") / 255.0 would hold two float32 copies at once
    print(f"float32 training set: {x.nbytes / 2**20:.0f} MiB; peak after converting: {peak_mib():.0f} MiB")
    if "--convnet" in argv or "--convnet-evaluate" in argv:
        x_test = x_test.astype("float32") / 255.0
        convnet_run(x, y_train, x_test, y_test, 2_000 if "--quick" in argv else 54_000, "--convnet-evaluate" in argv)
    else:
        seed_epoch(x, y_train, 2_000 if "--quick" in argv else len(x))


if __name__ == "__main__":
    main(sys.argv[1:])
