"""One command for every benchmark: kernels, then training, all in one run.

    python3 -m benchmarks.run                      # full run, tinynet only
    python3 -m benchmarks.run --reference-python ~/venvs/keras/bin/python
                                                   # + PyTorch and Keras from that environment
    python3 -m benchmarks.run --quick              # a smoke test: seconds, tiny settings

Prints tables and writes them (results.md, results.json) with two PNG plots to
--out (default benchmarks/out/). Speed targets live here, never in the tests.
"""
import argparse
import json
import os
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import tinynet  # noqa: E402

from . import conv, kernels, reference, training  # noqa: E402
from .common import machine  # noqa: E402
from .models import CASES, CONVNET, CONVNET_IMAGES  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny settings for a smoke test")
    parser.add_argument("--reference-python", default=os.environ.get("TINYNET_REFERENCE_PYTHON"),
                        help="a Python with torch==2.13.0 and/or keras==3.15.1 installed")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out"))
    return parser.parse_args(argv)


def table(rows, columns):
    """A Markdown table of ``rows`` (dicts) with (header, key, format) columns."""
    lines = ["| " + " | ".join(h for h, _, _ in columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(fmt.format(row[k]) if k in row else "" for _, k, fmt in columns) + " |")
    return "\n".join(lines)


def run_kernels(quick):
    repeats, rounds = (2, 1) if quick else (7, 3)
    peak = kernels.sgemm_peak(512 if quick else 2048, repeats=1 if quick else 3)
    layers = kernels.SEED_LAYERS if quick else kernels.SEED_LAYERS + kernels.OVERFIT_LAYERS[:4]
    rows = []
    for fan_in, fan_out in layers:
        for row in kernels.products(32, fan_in, fan_out, repeats, rounds):
            row["layer"] = f"{fan_in}->{fan_out}"
            row["numba_peak"] = row["numba_gflops"] / peak
            row["faster"] = "numba" if row["numba_vs_numpy"] >= 1 else "BLAS"
            rows.append(row)
    conv_rows = conv.conv_rows(repeats, rounds)
    for row in conv_rows:
        row["numba_peak"] = row["numba_gflops"] / peak
    return peak, rows, kernels.fused(repeats, rounds), conv_rows


def run_training(quick, reference_python):
    """Epoch times in rounds: each round times one epoch of every framework on
    every case, back to back, so that all of them see the machine in the same
    state; the ratios are taken within each round and their median reported."""
    (x, y), _ = tinynet.datasets.mnist.load_data()
    x = x.astype(np.float32) / 255
    rounds = 1 if quick else 5
    cases = {name: (hidden, 2000 if quick else n) for name, (hidden, n) in CASES.items()}
    timers = {name: {f"tinynet-{b}": training.epoch_timer(b, hidden, x[:n], y[:n]) for b in ("numba", "numpy")}
              for name, (hidden, n) in cases.items()}
    n = 1280 if quick else CONVNET_IMAGES
    cases[CONVNET] = (None, n)
    timers[CONVNET] = {"tinynet-numba": training.convnet_epoch_timer(x[:n], y[:n])}
    references = reference.start(reference_python, ("pytorch", "keras"), x, y) \
        if reference_python and not quick else []
    times = {name: {} for name in cases}
    try:
        for _ in range(rounds):
            for name in cases:
                for framework, epoch in timers[name].items():
                    times[name].setdefault(framework, []).append(epoch())
                for ref in references:
                    times[name].setdefault(ref.framework, []).append(ref.epoch(name))
    finally:
        for ref in references:
            ref.close()
    versions = {ref.framework: ref.version for ref in references}
    results = {name: {fw: float(np.median(t)) for fw, t in res.items()} for name, res in times.items()}
    by_round = {name: {ref: [a / b for a, b in zip(res["tinynet-numba"], res[ref])] for ref in versions}
                for name, res in times.items()}
    ratios = {name: {f"vs_{ref}": float(np.median(each)) for ref, each in refs.items()}
              for name, refs in by_round.items()}
    fit_step, kernel_step, overhead = training.step_overhead(x, y, images=640 if quick else 19200)
    outside, gather = training.outside_kernels_step(x, y, images=640 if quick else 19200)
    imported, first_step = training.first_step_in_new_process()
    cold_step = None if quick else training.first_step_in_new_process(cold=True)[1]
    over, n_over = CASES["over-fitting model, 10,000 images"]
    late = training.late_training(x[:500 if quick else n_over], y[:500 if quick else n_over], over,
                                  epochs=4 if quick else 22, early=(1, 2) if quick else (1, 3))
    lesson_s = training.lesson_wall_time(quick)
    extras = {"late_training": late, "capacity_lesson_s": lesson_s, "capacity_lesson_quick": quick,
              "rounds": times, "ratios_by_round": by_round, "ratios": ratios,
              "kernels_only_step_us": kernel_step, "tinynet_step_us": fit_step,
              "overhead_outside_kernels_us": overhead, "outside_kernels_direct_us": outside,
              "gather_us": gather,
              "import_s": imported, "first_step_s_second_process": first_step,
              "first_step_s_empty_cache": cold_step}
    return results, versions, extras


def plots(out, kernel_rows, training_results):
    fig, ax = plt.subplots(figsize=(11, 5))
    labels = [f"{r['layer']}\n{r['product']}" for r in kernel_rows]
    pos = np.arange(len(labels))
    for offset, key, name in ((-0.2, "numba_gflops", "tinynet Numba"), (0.2, "numpy_gflops", "NumPy (BLAS)")):
        ax.bar(pos + offset, [r[key] for r in kernel_rows], 0.4, label=name)
    ax.set_xticks(pos, labels, fontsize=7, rotation=60)
    ax.set_ylabel("GFLOP/s (higher is better)")
    ax.set_title("Dense-layer products at batch 32")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "kernels.png"), dpi=120)
    plt.close(fig)
    fig, axes = plt.subplots(1, len(training_results), figsize=(11, 4))
    for ax, (name, res) in zip(np.atleast_1d(axes), training_results.items()):
        ax.barh(list(res), list(res.values()), color="tab:blue")
        ax.set_xlabel("seconds per epoch (lower is better)")
        ax.set_title(name)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "training.png"), dpi=120)
    plt.close(fig)


def per_round(by_round):
    """One line per case and reference: tinynet-numba's time over the reference's, round by round."""
    lines = [f"- {name}, numba / {ref}: " + ", ".join(f"{r:.3f}" for r in each)
             for name, refs in by_round.items() for ref, each in refs.items()]
    return "\n".join(lines) or "- (no reference framework timed)"


def report(args, info, peak, kernel_rows, fused_rows, conv_rows, training_results, versions, extras):
    ratio_rows = []
    for name, res in training_results.items():
        row = {"case": name, **{k: v for k, v in res.items()}}
        row.update(extras["ratios"][name])
        ratio_rows.append(row)
    cols = [("case", "case", "{}"), ("tinynet-numba s", "tinynet-numba", "{:.3f}"),
            ("tinynet-numpy s", "tinynet-numpy", "{:.3f}"), ("PyTorch s", "pytorch", "{:.3f}"),
            ("Keras s", "keras", "{:.3f}"), ("numba / PyTorch", "vs_pytorch", "{:.3f}"),
            ("numba / Keras", "vs_keras", "{:.3f}")]
    kcols = [("layer", "layer", "{}"), ("product", "product", "{}"), ("m x k x n", "shape", "{}"),
             ("Numba µs", "numba_us", "{:.1f}"), ("NumPy µs", "numpy_us", "{:.1f}"),
             ("naive µs", "naive_us", "{:.0f}"), ("Numba GFLOP/s", "numba_gflops", "{:.0f}"),
             ("of peak", "numba_peak", "{:.0%}"), ("Numba ÷ NumPy speed", "numba_vs_numpy", "{:.2f}"),
             ("faster", "faster", "{}")]
    fcols = [("kernel", "kernel", "{}"), ("Numba µs", "numba_us", "{:.1f}"), ("NumPy µs", "numpy_us", "{:.1f}"),
             ("Numba ÷ NumPy speed", "numba_vs_numpy", "{:.2f}")]
    ccols = [("layer", "layer", "{}"), ("pass", "pass", "{}"), ("m x k x n", "shape", "{}"),
             ("Numba ms", "numba_ms", "{:.2f}"), ("NumPy ms", "numpy_ms", "{:.2f}"),
             ("Numba GFLOP/s", "numba_gflops", "{:.0f}"), ("of sgemm", "numba_peak", "{:.0%}"),
             ("Numba ÷ NumPy speed", "numba_vs_numpy", "{:.2f}"), ("dZ nonzero", "dz_density", "{:.0%}")]
    text = "\n\n".join([
        f"Machine: {info['cpu']}, {info['cores']} cores; Python {info['python']}, NumPy {info['numpy']}, "
        f"Numba {info['numba']} ({info['numba_threads']} threads). "
        + ", ".join(f"{k}: {v}" for k, v in versions.items()),
        f"sgemm peak measured in this run (NumPy, 2048³): {peak:.0f} GFLOP/s. Kernels: Numba and "
        "NumPy timed back to back in rounds (median of 7 repeats each); a time is the median over "
        "the rounds, a speed ratio the median of the rounds' ratios (each round's in results.json).",
        table(kernel_rows, kcols), table(fused_rows, fcols),
        "The convnet's Conv2D layers at batch 128 (inputs as in training; dY as a max pooling sends it "
        "back). GFLOP/s counts the multiply-adds of the dense products; the backward kernels skip dZ's "
        "zeros, so theirs is an equivalent rate. \"of sgemm\": that rate over this run's sgemm rate.",
        table([{k: v for k, v in row.items() if v is not None} for row in conv_rows], ccols),
        table(ratio_rows, cols),
        "Training epochs were timed in rounds, every framework once per round, back to back; "
        "the ratios are the medians of each round's ratio. Per round:\n" + per_round(extras["ratios_by_round"]),
        "Per step (seed model, medians of alternating runs): {tinynet_step_us:.0f} µs in fit, "
        "{kernels_only_step_us:.0f} µs for the batch gather and kernels called directly: a "
        "difference of {overhead_outside_kernels_us:.0f} µs (median of the pairs' differences). "
        "fit with every kernel swapped for an instant Python stub: {outside_kernels_direct_us:.1f} µs per step "
        "outside the kernels, of which the batch gather alone is {gather_us:.1f} µs. "
        "A new process: import {import_s:.2f} s, first step {first_step_s_second_process:.3f} s "
        "(kernels loaded from Numba's cache).".format(**extras)
        + " Late training (over-fitting model, one run of {epochs} epochs): early epochs {early_s:.3f} s, "
          "the last three {late_s:.3f} s: {late_over_early:.2f}x.".format(**extras["late_training"])
        + " The capacity lesson (python3 lessons/02_capacity.py{}) took {:.1f} s in a new process.".format(
            " --quick" if extras["capacity_lesson_quick"] else "", extras["capacity_lesson_s"])
        + ("" if extras["first_step_s_empty_cache"] is None else
           " With an empty cache (a fresh clone) the first step compiles its kernels: "
           f"{extras['first_step_s_empty_cache']:.1f} s."),
    ])
    print(text)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"machine": info, "versions": versions, "sgemm_peak_gflops": peak, "kernels": kernel_rows,
                   "fused": fused_rows, "conv": conv_rows, "training": training_results, "step": extras}, f, indent=1)
    plots(args.out, kernel_rows, training_results)


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    info = machine()
    print("kernels ...", flush=True)
    peak, kernel_rows, fused_rows, conv_rows = run_kernels(args.quick)
    print("training ...", flush=True)
    training_results, versions, extras = run_training(args.quick, args.reference_python)
    report(args, info, peak, kernel_rows, fused_rows, conv_rows, training_results, versions, extras)
    print(f"\nwrote {args.out}/results.md, results.json, kernels.png, training.png "
          f"in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
