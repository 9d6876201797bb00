"""Every lesson runs as a notebook, the way Jupyter runs one: jupytext turns the
percent-format script into a notebook and nbclient executes it cell by cell in
a Python kernel, with TINYNET_QUICK=1 in the kernel's environment (a notebook
has no command line). Needs the `notebooks` extra (jupytext, nbclient,
ipykernel), which the `test` extra installs too.
"""
import os

import pytest

from .test_lessons import EXPECTED, LESSONS

REASON = "running lessons as notebooks needs jupytext, nbclient and ipykernel: pip install -e '.[notebooks]'"
jupytext = pytest.importorskip("jupytext", reason=REASON)
nbclient = pytest.importorskip("nbclient", reason=REASON)
nbformat = pytest.importorskip("nbformat", reason=REASON)
pytest.importorskip("ipykernel", reason=REASON)


@pytest.fixture
def kernel_environment(monkeypatch, tmp_path):
    """The kernel inherits this process's environment: quick settings, figures in tmp_path."""
    monkeypatch.setenv("TINYNET_QUICK", "1")
    monkeypatch.setenv("TINYNET_LESSONS_OUT", str(tmp_path))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's own inline backend shows figures
    monkeypatch.delenv("DISPLAY", raising=False)
    return tmp_path


def execute(notebook):
    """Run every cell in a fresh kernel started in lessons/, as Jupyter would; returns
    the code cells' outputs, cell by cell. A cell that raises fails the test."""
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": LESSONS}})
    client.execute()
    return [cell.outputs for cell in notebook.cells if cell.cell_type == "code"]


def text_of(outputs):
    return "".join(o.get("text", "") for cell in outputs for o in cell if o["output_type"] == "stream")


@pytest.mark.parametrize("lesson", sorted(EXPECTED))
def test_lesson_runs_as_a_notebook_in_quick_mode(lesson, kernel_environment):
    outputs = execute(jupytext.read(os.path.join(LESSONS, lesson)))
    text = text_of(outputs)
    assert "quick settings (from TINYNET_QUICK=1)" in text and "wall time:" in text
    # Nothing echoes as Out[...]: a lesson prints what it means to show, as a script does.
    echoed = [o["data"].get("text/plain") for cell in outputs for o in cell if o["output_type"] == "execute_result"]
    assert echoed == []
    shown = sum(1 for cell in outputs for o in cell if o["output_type"] == "display_data" and "image/png" in o["data"])
    figures = [name for name in EXPECTED[lesson] if name.endswith(".png")]
    assert shown == len(figures), f"{lesson} showed {shown} figures in the notebook, saved {len(figures)}"
    for name in EXPECTED[lesson]:
        assert (kernel_environment / lesson[:-3] / name).exists(), f"{lesson} did not write {name}"


def test_run_magic_passes_options_and_rejects_unknown_ones(kernel_environment, monkeypatch):
    """``%run lessons/X.py --quick`` inside Jupyter reads its options; a misspelt one stops
    the lesson with argparse's message before it trains anything."""
    monkeypatch.delenv("TINYNET_QUICK")  # so that only --quick can choose the quick settings
    script = os.path.join(LESSONS, "03_backprop.py")
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(f"%run {script} --quick --seed 3"),
        nbformat.v4.new_code_cell(f"%run {script} --quik"),
        nbformat.v4.new_code_cell(f"%run {os.path.join(LESSONS, '02_capacity.py')} --epoch 1"),
    ])
    quick, typo, prefix = (text_of([cell]) + _errors(cell) for cell in execute(notebook))
    assert "03_backprop: quick settings (from --quick), seed=3" in quick and "wall time:" in quick
    assert "unrecognized arguments: --quik" in typo and "wall time:" not in typo
    assert "unrecognized arguments: --epoch 1" in prefix and "Training" not in prefix


def _errors(outputs):
    return "".join(o.get("ename", "") + ": " + o.get("evalue", "") for o in outputs if o["output_type"] == "error")


def test_quick_in_the_first_code_cell_selects_quick_settings(kernel_environment, monkeypatch):
    monkeypatch.delenv("TINYNET_QUICK")
    notebook = jupytext.read(os.path.join(LESSONS, "03_backprop.py"))
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert first.source.startswith("QUICK = False")
    first.source = "QUICK = True"  # what a learner types
    assert "03_backprop: quick settings (from QUICK = True)" in text_of(execute(notebook))
