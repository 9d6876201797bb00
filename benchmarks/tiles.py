"""The Dense products at batch 32 against NumPy (BLAS) on a given number of threads.

    NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 -m benchmarks.tiles
    NUMBA_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 python3 -m benchmarks.tiles

Every product of the seed and over-fitting models whose sides are all >= 128,
timed in rounds (``kernels.compare``: the ratio is the median of the rounds'
ratios), with its rate as a share of this run's sgemm rate (NumPy, 2048^3, same
threads). Prints a Markdown table; the tile in use is ``matmul.TILE_ROWS``.
"""
import numpy as np

from tinynet.kernels import matmul

from . import kernels
from .common import machine

LAYERS = [(784, 128), (784, 512), (512, 512), (512, 256), (256, 128)]


def main(rounds=5, repeats=7):
    info = machine()
    peak = kernels.sgemm_peak(2048, repeats=3)
    print(f"{info['cpu']}, Numba {info['numba']} on {info['numba_threads']} thread(s), "
          f"tile rows {matmul.TILE_ROWS}; sgemm {peak:.0f} GFLOP/s\n")
    print("| layer | product | m×k×n | Numba µs | NumPy µs | Numba GFLOP/s | of sgemm | Numba ÷ NumPy | rounds |")
    print("|---|---|---|---|---|---|---|---|---|")
    ratios = []
    for fan_in, fan_out in LAYERS:
        for row in kernels.products(32, fan_in, fan_out, repeats, rounds, naive=False):
            ratios.append(row["numba_vs_numpy"])
            spread = f"{min(row['rounds']):.2f}-{max(row['rounds']):.2f}"
            print(f"| {fan_in}→{fan_out} | {row['product']} | {row['shape']} | {row['numba_us']:.1f} | "
                  f"{row['numpy_us']:.1f} | {row['numba_gflops']:.0f} | {row['numba_gflops'] / peak:.0%} | "
                  f"**{row['numba_vs_numpy']:.2f}** | {spread} |", flush=True)
    print(f"\nlowest ratio {min(ratios):.2f}, median {np.median(ratios):.2f}")


if __name__ == "__main__":
    main()
