"""The progress bar redraws in place in a Jupyter notebook, as on a terminal, but
without a terminal's escape codes."""
import time

from tinynet.utils import Progbar, progbar


class NotebookStream:
    """Stands in for ipykernel's OutStream, which the bar knows by its module."""
    __module__ = "ipykernel.iostream"

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass

    def isatty(self):
        return False  # as ipykernel's stream answers


def test_progress_bar_redraws_in_a_notebook_without_escape_codes(monkeypatch):
    monkeypatch.setattr(progbar, "NOTEBOOK_REDRAW_SECONDS", 0.0)  # redraw at every step
    stream = NotebookStream()
    bar = Progbar(3, verbose=1, stream=stream)
    for step in (1, 2, 3):
        bar.update(step, {"loss": 1.0 / step})
        time.sleep(0.001)
    bar.finish({"loss": 0.25})
    assert stream.text.count("\r") == 4 and stream.text.count("\n") == 1 and "\x1b" not in stream.text
    redraws = stream.text.split("\r")[1:]
    assert redraws[0].startswith("1/3 ") and redraws[-1].startswith("3/3 ━━━━━━━━━━━━━━━━━━━━ ")
    # each redraw covers the one before, so no characters of a longer line are left behind
    assert all(len(later) >= len(earlier.rstrip("\n")) for earlier, later in zip(redraws, redraws[1:]))


def test_progress_bar_stays_quiet_in_a_notebook_at_verbose_2():
    stream = NotebookStream()
    bar = Progbar(3, verbose=2, stream=stream)
    bar.update(1, {"loss": 1.0})
    bar.finish({"loss": 0.25})
    assert stream.text.startswith("3/3 - ") and "\r" not in stream.text
