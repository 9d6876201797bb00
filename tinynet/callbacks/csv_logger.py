"""``CSVLogger``: write each epoch's logs as a row of a CSV file, as
``keras.callbacks.CSVLogger``."""
import collections.abc
import csv
import os

import numpy as np

from .callback import Callback


def _cell(value):
    """A log value as Keras writes it: strings and numbers as they are, a list or
    array of one or more axes as "[a, b, ...]" (the csv module then quotes it)."""
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (isinstance(value, np.ndarray) and value.ndim == 0):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """One row per epoch, Keras' format exactly:

        epoch,accuracy,loss,val_accuracy,val_loss
        0,0.8125,0.5201...,0.84375,0.4417...

    The columns are 'epoch' (counted from 0), then the first epoch's log names
    sorted; if the first epoch has no 'val_' name, 'val_' twins of all of them
    are added (so a run validating every 2nd epoch, or never, has them too). A
    name missing from an epoch's logs is written NA. Numbers are written by
    ``str`` (the shortest digits that read back as the same float), lines end in "\\r\\n" (the csv module's
    default), and the file is flushed after every row.

    separator: the column separator. append: add to an existing file (its
    header is not written again unless the file is empty) instead of replacing it.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append and os.path.exists(self.filename):
            with open(self.filename) as f:
                self.append_header = not f.readline()
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, "a" if self.append else "w", newline="")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys += [f"val_{key}" for key in self.keys]
        if self.writer is None:
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys, dialect="excel",
                                         delimiter=self.sep)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
