"""What every lesson shares: its options, where its figures go, and its clock.

A lesson runs as a script (``python lessons/02_capacity.py --quick``) or as a
notebook (VS Code / Jupyter read the ``# %%`` cells). Run headless, figures are
saved as PNG under --out and never shown; in a notebook or on a desktop they
are saved and shown.
"""
import argparse
import os
import sys
import time

import matplotlib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the tinynet checkout


def interactive():
    """A notebook, or a terminal with a display: somewhere a figure can be shown."""
    if "ipykernel" in sys.modules:
        return True
    return bool(os.environ.get("DISPLAY")) and sys.stdout.isatty()


if not interactive():
    matplotlib.use("Agg")  # headless: draw into files only

import matplotlib.pyplot as plt  # noqa: E402


class Lesson:
    """Options, output folder and timer of one lesson.

    defaults / quick: {option: value} for a full run and for --quick; the options
    are among epochs, subset and repeats. --seed, --quick and --out always exist.
    """

    def __init__(self, name, description, defaults, quick):
        parser = argparse.ArgumentParser(description=description)
        helps = {"epochs": "epochs per model", "subset": "training images", "repeats": "timing repeats"}
        for option, value in defaults.items():
            parser.add_argument(f"--{option}", type=int, help=f"{helps[option]} (default {value})")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument("--quick", action="store_true", help="tiny settings for a smoke test")
        parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", name),
                            help="folder for figures and results (default lessons/out/<lesson>)")
        # In a notebook sys.argv belongs to the kernel: use the defaults.
        args, _ = parser.parse_known_args([] if "ipykernel" in sys.modules else None)
        chosen = quick if args.quick else defaults
        for option in defaults:  # self.epochs, self.subset, ...: the option given, else the default
            value = getattr(args, option)
            value = chosen[option] if value is None else value
            if value < 1:
                parser.error(f"--{option} must be a positive integer, got {value}")
            setattr(self, option, value)
        self.seed, self.quick, self.out = args.seed, args.quick, args.out
        os.makedirs(self.out, exist_ok=True)
        self.started = time.perf_counter()

    def save(self, fig, filename):
        """Save ``fig`` as PNG under --out; show it too when running interactively."""
        path = os.path.join(self.out, filename)
        fig.savefig(path, dpi=100, bbox_inches="tight")
        print(f"saved {path}")
        if interactive():
            plt.show()
        plt.close(fig)
        return path

    def finish(self):
        print(f"\nwall time: {time.perf_counter() - self.started:.1f} s")
