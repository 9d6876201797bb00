"""Plots that the lessons and users share: training curves, the capacity grid,
accuracy bars with the gap chart, a confusion matrix, digit galleries.

Every function takes plain data (History objects or ``history`` dicts, arrays)
and returns a matplotlib Figure; saving or showing it is the caller's choice.
"""
import numpy as np

COLORS = ["tab:red", "tab:green", "tab:blue", "tab:purple", "tab:orange", "tab:brown"]


def _pyplot():
    import matplotlib.pyplot as plt  # imported late, so a lesson can pick the backend first
    return plt


def epoch_axis(ax):
    """Label the x axis 'epoch', with whole-number ticks only."""
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")


def _history(h):
    return h.history if hasattr(h, "history") else h


def plot_history(ax, history, metric, color="tab:blue", label=None, linewidth=2):
    """Training (solid) and validation (dashed) curves of ``metric`` on ``ax``."""
    h = _history(history)
    epochs = np.arange(1, len(h[metric]) + 1)
    prefix = f"{label}: " if label else ""
    ax.plot(epochs, h[metric], color=color, linewidth=linewidth, label=f"{prefix}training")
    if f"val_{metric}" in h:
        ax.plot(epochs, h[f"val_{metric}"], color=color, linewidth=linewidth, linestyle="--",
                label=f"{prefix}validation")
    epoch_axis(ax)
    ax.set_ylabel(metric)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)


def _frame(ax, color="gold", width=3):
    for spine in ax.spines.values():
        spine.set_edgecolor(color)
        spine.set_linewidth(width)


def capacity_grid(histories, highlight=None, title="Under-fitting vs over-fitting"):
    """The 2 x N grid: accuracy on top, loss below, one column per model.

    histories: {name: History or history dict}; the column named ``highlight``
    gets a gold frame and bold titles.
    """
    plt = _pyplot()
    fig, axes = plt.subplots(2, len(histories), figsize=(6 * len(histories), 10), squeeze=False)
    fig.suptitle(title, fontsize=16, fontweight="bold")
    for i, (name, history) in enumerate(histories.items()):
        special = name == highlight
        for row, metric in enumerate(("accuracy", "loss")):
            ax = axes[row, i]
            plot_history(ax, history, metric, COLORS[i % len(COLORS)], linewidth=3 if special else 2)
            ax.set_title(f"{name}\n{metric}", fontweight="bold" if special else "normal")
            if special:
                _frame(ax)
    fig.tight_layout()
    return fig


def _label_bars(ax, bars, fmt="{:.3f}", offset=0.005):
    for bar in bars:
        height = bar.get_height()
        ax.text(bar.get_x() + bar.get_width() / 2, height + offset, fmt.format(height),
                ha="center", va="bottom", fontsize=9, fontweight="bold")


def accuracy_bars(names, train_acc, test_acc, highlight=None,
                  train_label="training accuracy", test_label="test accuracy",
                  gap_title="Training - test accuracy"):
    """Grouped bars of final accuracies, and the gap (training - test) per model.

    The accuracy axis starts at 0, so that bar heights compare as the numbers do
    (an axis cut at 0.9 would draw 0.95 twice as tall as 0.925); the labels on the
    bars give the digits. The gap chart's title is neutral: a smaller gap is not by
    itself a better model (lesson 2 shows the least fitted model with the largest gap).
    """
    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(15, 6))
    x = np.arange(len(names))
    width = 0.35
    _label_bars(ax1, ax1.bar(x - width / 2, train_acc, width, label=train_label, color="lightcoral",
                             edgecolor="black"))
    _label_bars(ax1, ax1.bar(x + width / 2, test_acc, width, label=test_label, color="tab:blue",
                             edgecolor="black"))
    ax1.set_ylim(0.0, 1.3)  # from 0; the space above 1 holds the legend
    ax1.set_yticks(np.linspace(0.0, 1.0, 6))
    ax1.set_xticks(x, names)
    ax1.set_ylabel("accuracy")
    ax1.set_title("Final accuracy")
    ax1.legend(loc="upper center", ncol=2, fontsize=9)
    ax1.grid(True, axis="y", alpha=0.3)
    gaps = np.asarray(train_acc) - np.asarray(test_acc)
    colors = ["gold" if n == highlight else "lightgray" for n in names]
    bars = ax2.bar(x, gaps, color=colors, edgecolor="black")
    _label_bars(ax2, bars, offset=0.0005)
    ax2.set_xticks(x, names)
    ax2.set_ylabel("training - test accuracy")
    ax2.set_title(gap_title)
    ax2.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def confusion_matrix(y_true, y_pred, classes=10):
    """counts[i, j] = how many samples of true class i were predicted as j."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(y_true, np.int64), np.asarray(y_pred, np.int64)), 1)
    return counts


def plot_confusion_matrix(counts, title="Confusion matrix (test set)"):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 6))
    image = ax.imshow(np.log1p(counts), cmap="Blues")
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if counts[i, j] > counts.max() / 3 else "black")
    ax.set_xticks(range(counts.shape[1]))
    ax.set_yticks(range(counts.shape[0]))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="log(1 + count)")
    fig.tight_layout()
    return fig


def image_grid(images, titles, columns=8, cmap="gray", title=None, symmetric=False):
    """A grid of 2-D images (n, h, w) with a title under each."""
    plt = _pyplot()
    rows = int(np.ceil(len(images) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.9 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, image, text in zip(axes.ravel(), images, titles):
        limit = np.abs(image).max() if symmetric else None
        ax.imshow(image, cmap=cmap, vmin=-limit if symmetric else None, vmax=limit)
        ax.set_title(text, fontsize=8)
    if title:
        fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    return fig
