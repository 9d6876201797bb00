"""What every lesson shares: its options, where its figures go, its progress lines
and its clock.

A lesson runs as a script (``python lessons/02_capacity.py --quick``) or as a
notebook (jupytext opens the ``# %%`` cells; see "Lessons as notebooks" in README.md). Run
headless, figures are saved as PNG under --out and never shown; in a notebook or
on a desktop they are saved and shown.

Figures go to lessons/out/<lesson>/, or to $TINYNET_LESSONS_OUT/<lesson>/ when that
is set (a notebook has no --out), or to the folder given with --out.

Each lesson imports this module first, before NumPy, so that NumPy's BLAS runs
on one thread (see below).

Quick settings (tiny, seconds) are chosen by any one of:
    --quick on the command line, also as ``%run lessons/02_capacity.py --quick``
    TINYNET_QUICK=1 in the environment, for a script or a notebook's kernel
    QUICK = True in the notebook (each lesson's first code cell has the line)
"""
import argparse
import os
import sys
import time

# NumPy's BLAS (behind @) gets one thread, unless you chose otherwise. tinynet's
# 'numba' backend never calls BLAS and runs its own threads; BLAS threads competing
# with those, or with other programs on a busy machine, made NumPy's products many
# times slower here. Set before NumPy loads: import lesson_kit first.
for _variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import matplotlib  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the tinynet checkout
# The lessons teach the tinynet that sits beside them, whichever tinynet is installed.
if REPO not in sys.path:
    sys.path.insert(0, REPO)


def in_notebook():
    """True inside a Jupyter kernel (a notebook, VS Code's interactive window, %run)."""
    return "ipykernel" in sys.modules


def interactive():
    """A notebook, or a terminal with a display: somewhere a figure can be shown."""
    if in_notebook():
        return True
    return bool(os.environ.get("DISPLAY")) and sys.stdout.isatty()


if not interactive():
    matplotlib.use("Agg")  # headless: draw into files only

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402  (after the BLAS threads are set)

from tinynet.callbacks import Callback  # noqa: E402  (after REPO is on sys.path)


def command_line():
    """The lesson's options from the command line, or [] in a notebook.

    Outside Jupyter, the command line is the lesson's, however it was started
    (python, pdb, a profiler). Inside a Jupyter kernel, ``sys.argv`` holds the
    kernel's own options, except under IPython's ``%run script.py --quick``, which
    sets ``sys.argv`` to the script and its options and runs it in a ``__main__``
    whose ``__file__`` is that script.
    """
    if not in_notebook():
        return sys.argv[1:]
    script = getattr(sys.modules["__main__"], "__file__", None)
    if script and sys.argv and os.path.abspath(sys.argv[0]) == os.path.abspath(script):
        return sys.argv[1:]
    return []


def quick_from_environment():
    """TINYNET_QUICK=1 -> True, TINYNET_QUICK=0 or unset -> False."""
    value = os.environ.get("TINYNET_QUICK", "").strip()
    if value not in ("", "0", "1"):
        raise ValueError(f"TINYNET_QUICK must be 0 or 1. Received: TINYNET_QUICK={value!r}")
    return value == "1"


def quick_from_notebook():
    """The ``QUICK`` variable of the notebook (or script) running the lesson, if it set one."""
    value = getattr(sys.modules["__main__"], "QUICK", False)
    if not isinstance(value, bool):
        raise TypeError(f"QUICK must be True or False. Received: QUICK={value!r}")
    return value


def output_root():
    """Where lessons write their figures: $TINYNET_LESSONS_OUT, else lessons/out. Each
    lesson writes into its own folder there, and lesson 5 reads lesson 2's results."""
    return os.environ.get("TINYNET_LESSONS_OUT") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")


class Lesson:
    """Options, output folder and timer of one lesson.

    defaults / quick: {option: value} for a full run and for quick settings; the
    options are among epochs, subset and repeats. --seed, --quick and --out
    always exist. An unknown option (``--quik``, ``--epoch 1``) stops the lesson
    with argparse's message.
    """

    def __init__(self, name, description, defaults, quick):
        # allow_abbrev=False: argparse would otherwise take --epoch for --epochs, and a typo for an option
        parser = argparse.ArgumentParser(description=description, allow_abbrev=False)
        helps = {"epochs": "epochs per model", "subset": "training images", "repeats": "timing repeats"}
        for option, value in defaults.items():
            parser.add_argument(f"--{option}", type=int, help=f"{helps[option]} (default {value})")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument("--quick", action="store_true",
                            help="tiny settings for a smoke test (also TINYNET_QUICK=1, or QUICK = True in a notebook)")
        parser.add_argument("--out", default=os.path.join(output_root(), name),
                            help="folder for figures and results (default lessons/out/<lesson>, "
                                 "or $TINYNET_LESSONS_OUT/<lesson>)")
        args = parser.parse_args(command_line())
        reasons = [why for why, chosen in [("--quick", args.quick), ("TINYNET_QUICK=1", quick_from_environment()),
                                           ("QUICK = True", quick_from_notebook())] if chosen]
        self.quick = bool(reasons)
        chosen = quick if self.quick else defaults
        for option in defaults:  # self.epochs, self.subset, ...: the option given, else the setting
            value = getattr(args, option)
            value = chosen[option] if value is None else value
            if value < 1:
                parser.error(f"--{option} must be a positive integer, got {value}")
            setattr(self, option, value)
        self.seed, self.out = args.seed, args.out
        os.makedirs(self.out, exist_ok=True)
        settings = ", ".join(f"{option}={getattr(self, option)}" for option in defaults)
        print(f"{name}: {'quick' if self.quick else 'full'} settings"
              + (f" (from {', '.join(reasons)})" if reasons else "")
              + (f": {settings}" if settings else "") + f", seed={self.seed}")
        self.started = time.perf_counter()

    def save(self, fig, filename):
        """Save ``fig`` as PNG under --out; show it too when running interactively.

        Returns nothing, so that a notebook cell ending in ``lesson.save(...)`` does not
        echo the path as its output (the path is printed)."""
        path = os.path.join(self.out, filename)
        fig.savefig(path, dpi=100, bbox_inches="tight")
        print(f"saved {path}")
        if interactive():
            plt.show()
        plt.close(fig)

    def progress(self, label):
        """A callback for ``fit`` that shows where training is: one line per model,
        redrawn after every epoch in a notebook or on a terminal, printed once at the
        end in a log (so that a script's output stays short)."""
        return EpochLine(label)

    def finish(self):
        print(f"\nwall time: {time.perf_counter() - self.started:.1f} s")


def confidence(p):
    """A probability with as many decimals as it takes to tell it from 1 (2 at least, up to
    7: float32's precision); "1" when it is 1.0 in float32. So 0.99996 prints as
    0.999960, not as 1.00."""
    if p >= 1.0:
        return "1"
    decimals = min(7, max(2, int(np.ceil(-np.log10(1.0 - p))) + 1))
    return f"{p:.{decimals}f}"


def _live(stream):
    """Can ``stream`` redraw a line in place with a carriage return?"""
    if type(stream).__module__.startswith("ipykernel"):
        return True  # a notebook's output
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _figures(logs):
    shown = [name for name in ("loss", "val_loss", "val_accuracy") if name in logs]
    return "".join(f" - {name} {logs[name]:.4g}" for name in shown)


class EpochLine(Callback):
    """'label: epoch 12/50 - loss 0.06 - val_loss 0.1 - val_accuracy 0.97' (see Lesson.progress)."""

    def __init__(self, label):
        super().__init__()
        self.label = label
        self.line = ""

    def on_epoch_end(self, epoch, logs=None):
        self.line = f"{self.label}: epoch {epoch + 1}/{self.params['epochs']}{_figures(logs or {})}"
        if _live(sys.stdout):
            sys.stdout.write("\r" + self.line.ljust(100))
            sys.stdout.flush()

    def on_train_end(self, logs=None):
        sys.stdout.write(("\r" + self.line.ljust(100) if _live(sys.stdout) else self.line) + "\n")
        sys.stdout.flush()
