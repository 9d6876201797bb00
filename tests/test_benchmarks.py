"""The benchmark commands run in --quick mode (a smoke test: seconds, tiny
settings) and write their table, JSON and plots. Their numbers are not checked
here: speed targets live in benchmarks/README.md, never in tests."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_benchmark_run_quick_writes_its_results(tmp_path):
    done = subprocess.run([sys.executable, "-m", "benchmarks.run", "--quick", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    for name in ("results.md", "results.json", "kernels.png", "training.png"):
        assert (tmp_path / name).stat().st_size > 500, name
    results = json.loads((tmp_path / "results.json").read_text())
    assert {row["product"] for row in results["kernels"]} == {"X @ W", "X.T @ dY", "dY @ W.T"}
    assert all(row["numba_us"] > 0 and row["numpy_us"] > 0 and row["naive_us"] > 0 for row in results["kernels"])
    assert set(results["training"]["seed model, 60,000 images"]) == {"tinynet-numba", "tinynet-numpy"}
    assert set(results["training"]["convnet, 54,000 images, batch 128"]) == {"tinynet-numba"}
    assert [(row["layer"].split()[0], row["pass"]) for row in results["conv"]] == [
        ("conv2d", "forward"), ("conv2d", "backward (dW)"), ("conv2d", "forward + pool (fused)"),
        ("conv2d", "pool + backward (fused)"), ("conv2d_1", "forward"), ("conv2d_1", "backward (dW, dX)"),
        ("conv2d_1", "forward + pool (fused)"), ("conv2d_1", "pool + backward (fused)")]
    assert all(row["numba_ms"] > 0 and 0 < row["numba_peak"] for row in results["conv"])
    assert "sgemm peak" in done.stdout and "outside the kernels" in done.stdout
    assert {"overhead_outside_kernels_us", "outside_kernels_direct_us", "gather_us"} <= set(results["step"])
    late = results["step"]["late_training"]
    assert len(late["seconds"]) == late["epochs"] == 4 and late["late_over_early"] > 0
    assert results["step"]["capacity_lesson_s"] > 0 and "The capacity lesson" in done.stdout


def test_memory_benchmark_quick_reports_its_stages():
    done = subprocess.run([sys.executable, "-m", "benchmarks.memory", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "float32 training set: 179 MiB" in done.stdout and "trained one epoch on 2000 images" in done.stdout
    done = subprocess.run([sys.executable, "-m", "benchmarks.memory", "--convnet", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "trained one convnet epoch on 2000 images" in done.stdout
