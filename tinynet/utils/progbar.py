"""A Keras-style progress bar, in one small class.

    1875/1875 ━━━━━━━━━━━━━━━━━━━━ 2s 946us/step - accuracy: 0.9101 - loss: 0.3682

verbose=1: on a terminal the bar is redrawn in place, at most every 0.1 s, so
that drawing never costs measurable time; in a Jupyter notebook too, at most
every 0.5 s (each redraw is a message to the browser) and without a terminal's
escape codes; in a pipe or a file only the finished line is printed.
verbose=2: only the finished line, without the bar. verbose=0: nothing.
"""
import sys
import time

BAR_WIDTH = 20
REDRAW_SECONDS = 0.1
NOTEBOOK_REDRAW_SECONDS = 0.5


def format_value(value):
    """Keras' rule: 4 decimals, scientific notation for tiny values."""
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_time_per_step(seconds):
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


class Progbar:
    """Progress of one epoch: ``update(step, logs)`` after each batch, ``finish(logs)`` at the end.

    target: number of steps in the epoch. logs: dict of name -> float, printed sorted.
    """

    def __init__(self, target, verbose=1, stream=None):
        self.target = target
        self.verbose = verbose
        self.stream = stream if stream is not None else sys.stdout
        self.interactive = _is_terminal(self.stream)
        self.notebook = not self.interactive and _is_notebook(self.stream)
        self.start = time.perf_counter()
        self.last_draw = 0.0
        self.drawn = 0  # length of the line on screen, which a notebook redraw must cover

    def due(self):
        """True when a redraw would show: a terminal or a notebook, and 0.1 s (0.5 s in a
        notebook) since the last one."""
        if self.verbose != 1 or not (self.interactive or self.notebook):
            return False
        wait = REDRAW_SECONDS if self.interactive else NOTEBOOK_REDRAW_SECONDS
        return time.perf_counter() - self.last_draw >= wait

    def update(self, step, logs):
        """Redraw the live bar, if ``due()``."""
        if not self.due():
            return
        now = self.last_draw = time.perf_counter()
        elapsed = now - self.start
        eta = elapsed / step * (self.target - step) if step else 0.0
        line = f"{self._counter(step)} {self._bar(step)} {_format_eta(eta)}{_format_logs(logs)}"
        self.stream.write("\r" + self._cover(line))
        self.stream.flush()

    def _cover(self, line):
        """``line``, made to erase what the last redraw left: a terminal's erase-to-end
        code, or, in a notebook (which has no such code), spaces."""
        if self.interactive:
            return line + "\x1b[K"
        covered, self.drawn = line.ljust(self.drawn), len(line)
        return covered

    def finish(self, logs):
        """Print the final line of the epoch (replacing the live bar on a terminal or in a notebook)."""
        if self.verbose == 0:
            return
        elapsed = time.perf_counter() - self.start
        per_step = format_time_per_step(elapsed / max(self.target, 1))
        if self.verbose == 1:
            line = f"{self._counter(self.target)} {self._bar(self.target)} {elapsed:.0f}s {per_step}"
        else:
            line = f"{self.target}/{self.target} - {elapsed:.0f}s - {per_step}"
        line += _format_logs(logs)
        if self.verbose == 1 and (self.interactive or self.notebook):
            line = "\r" + self._cover(line)
        self.stream.write(line + "\n")
        self.stream.flush()

    def _counter(self, step):
        width = len(str(self.target))
        return f"{step:>{width}}/{self.target}"

    def _bar(self, step):
        done = int(BAR_WIDTH * step / max(self.target, 1))
        if not self.interactive:
            return "━" * BAR_WIDTH if done == BAR_WIDTH else "━" * done + " " * (BAR_WIDTH - done)
        # Bold for the part done, dim for the rest, as Keras draws it on a terminal.
        return f"\x1b[1m{'━' * done}\x1b[0m\x1b[2m{'━' * (BAR_WIDTH - done)}\x1b[0m"


def _format_logs(logs):
    return "".join(f" - {name}: {format_value(value)}" for name, value in sorted(logs.items()))


def _format_eta(seconds):
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{seconds:.0f}s"


def _is_notebook(stream):
    """A Jupyter kernel's output stream, which shows a carriage return as a redraw."""
    return type(stream).__module__.startswith("ipykernel")


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
