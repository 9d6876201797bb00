"""Every lesson runs with --quick (a smoke test: seconds, not the real settings),
headless, writing its figures as PNG and lessons 2, 5 and 6 their results.json."""
import json
import os
import subprocess
import sys

import pytest

LESSONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "lessons")
EXPECTED = {
    "00_neurons.py": ["activations.png", "gradient_descent.png"],
    "01_first_model.py": ["raw_vs_normalised.png", "confusion_matrix.png", "misclassified.png",
                          "first_layer_weights.png"],
    "02_capacity.py": ["capacity_curves.png", "capacity_bars.png", "results.json"],
    "03_backprop.py": [],
    "04_kernels.py": ["kernels.png"],
    "05_regularization.py": ["regularization_val_loss.png", "results.json"],
    "06_convolution.py": ["convolution_one_digit.png", "first_layer_filters.png", "feature_maps.png",
                          "mistakes.png", "results.json"],
    "07_step_through.py": ["trace_under-fitting.png", "trace_balanced.png", "trace_over-fitting.png",
                           "trace_balanced_trained.png"],
    "08_optimizers.py": ["valley.png", "optimizers.png"],
}


def run(lesson, out, options=("--quick",), **environment):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "TINYNET_QUICK")}
    env["PYTHONPATH"] = os.path.dirname(LESSONS)  # this checkout's tinynet, even where another one is installed
    return subprocess.run([sys.executable, os.path.join(LESSONS, lesson), *options, "--out", str(out)],
                          capture_output=True, text=True, env={**env, **environment}, timeout=600)


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    """Each lesson's quick run, made once: {lesson: (the finished process, its --out folder)}."""
    runs = {}

    def get(lesson):
        if lesson not in runs:
            out = tmp_path_factory.mktemp(lesson[:-3])
            runs[lesson] = run(lesson, out), out
        return runs[lesson]
    return get


@pytest.mark.parametrize("lesson", sorted(EXPECTED))
def test_lesson_runs_quick_and_writes_its_figures(lesson, quick_runs):
    done, tmp_path = quick_runs(lesson)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "wall time:" in done.stdout
    for name in EXPECTED[lesson]:
        path = tmp_path / name
        assert path.exists() and path.stat().st_size > 1000, f"{lesson} did not write {name}"
        if name.endswith(".png"):
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("options, unknown", [(["--quik"], "--quik"), (["--epoch", "1"], "--epoch 1"),
                                              (["--quick", "extra"], "extra")])
def test_an_unknown_option_stops_the_lesson_with_argparse_message(options, unknown, tmp_path):
    """A typo must not run the full settings silently (argparse would take --epoch for
    --epochs, a prefix, unless told not to)."""
    done = run("02_capacity.py", tmp_path, options)
    assert done.returncode == 2 and done.stdout == ""
    assert f"unrecognized arguments: {unknown}" in done.stderr


def test_quick_settings_from_the_environment(tmp_path):
    done = run("00_neurons.py", tmp_path, ["--epochs", "1"], TINYNET_QUICK="1")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "quick settings (from TINYNET_QUICK=1): epochs=1, subset=300" in done.stdout  # --epochs still wins
    refused = run("03_backprop.py", tmp_path, [], TINYNET_QUICK="yes")
    assert refused.returncode != 0 and "TINYNET_QUICK must be 0 or 1. Received: TINYNET_QUICK='yes'" in refused.stderr


def test_capacity_results_hold_what_lesson_5_and_learners_need(quick_runs):
    done, tmp_path = quick_runs("02_capacity.py")
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["settings"] == {"epochs": 2, "subset": 500, "seed": 0, "backend": "numba", "batch_size": 32,
                                   "test_images": 1000}
    assert list(results["models"]) == ["Under-fitting (too simple)", "Balanced (your model)",
                                       "Over-fitting (too complex)"]
    for model in results["models"].values():
        assert set(model["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
        assert len(model["history"]["loss"]) == 2
        assert model["gap"] == pytest.approx(model["train_accuracy"] - model["test_accuracy"])
        assert 1 <= model["best_val_loss_epoch"] <= 2 and model["seconds"] > 0
    assert "Final Test Accuracy:" in done.stdout and "MY MODEL ANALYSIS" in done.stdout
    assert "validation loss" in results["analysis"] and results["analysis"] in done.stdout


def test_the_capacity_runs_script_trains_the_notebook_models_in_tinynet(tmp_path):
    """tests/reference/capacity_runs.py is the one script behind Keras' and tinynet's
    seed spreads; its tinynet side runs here (1 epoch, one model, one seed)."""
    root = os.path.dirname(LESSONS)
    out = tmp_path / "runs.json"
    args = [sys.executable, os.path.join(root, "tests", "reference", "capacity_runs.py"), "--framework",
            "tinynet", "--models", "under", "--seeds", "3", "--epochs", "1", "--out", str(out)]
    done = subprocess.run(args, capture_output=True, text=True, cwd=root, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["settings"]["seeds"] == [3] and result["versions"]["tinynet"]
    (run_,) = result["runs"]
    assert run_["model"] == "Under-fitting (too simple)" and 0.85 < run_["test_accuracy"] < 0.95
    again = subprocess.run(args[:-2] + ["--out", str(out), "--append", "--unseeded"], capture_output=True,
                           text=True, cwd=root, timeout=600)
    assert again.returncode != 0 and "not appending" in again.stderr  # seeded and unseeded runs never mix
