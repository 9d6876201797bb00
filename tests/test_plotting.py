"""The shared plots, drawn headless: right panels, labels and highlighted model."""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

from tinynet import plotting  # noqa: E402

HISTORY = {"loss": [1.0, 0.5, 0.2], "accuracy": [0.6, 0.8, 0.9], "val_loss": [1.1, 0.7, 0.8],
           "val_accuracy": [0.55, 0.75, 0.8]}


def test_capacity_grid_has_accuracy_over_loss_and_frames_the_highlight():
    fig = plotting.capacity_grid({"a": HISTORY, "b": HISTORY, "c": HISTORY}, highlight="b")
    axes = np.array(fig.axes).reshape(2, 3)
    assert [ax.get_ylabel() for ax in axes[:, 0]] == ["accuracy", "loss"]
    assert all(ax.get_xlabel() == "epoch" for ax in axes.ravel())
    solid, dashed = axes[0, 0].get_lines()
    assert solid.get_linestyle() == "-" and dashed.get_linestyle() == "--"
    assert list(dashed.get_ydata()) == HISTORY["val_accuracy"]
    gold = matplotlib.colors.to_rgba("gold")
    assert axes[0, 1].spines["left"].get_edgecolor() == gold
    assert axes[0, 0].spines["left"].get_edgecolor() != gold


def test_accuracy_bars_label_values_and_gaps():
    fig = plotting.accuracy_bars(["u", "b", "o"], [0.96, 1.0, 1.0], [0.91, 0.96, 0.97], highlight="b")
    left, right = fig.axes
    texts = [t.get_text() for t in left.texts]
    assert texts == ["0.960", "1.000", "1.000", "0.910", "0.960", "0.970"]
    assert [t.get_text() for t in right.texts] == ["0.050", "0.040", "0.030"]
    assert left.get_legend() is not None


def test_accuracy_bars_start_at_zero_and_the_gap_title_judges_nothing():
    # Accuracies between 0.91 and 1.0: an axis fitted to the data would start near 0.86.
    fig = plotting.accuracy_bars(["u", "b", "o"], [0.96, 1.0, 1.0], [0.91, 0.96, 0.97])
    left, right = fig.axes
    bottom, top = left.get_ylim()
    assert bottom == 0.0 and top >= 1.0
    assert right.get_ylim()[0] <= 0.0  # the gap bars start at 0 too
    assert "better" not in right.get_title().lower()
    fig = plotting.accuracy_bars(["u"], [0.9], [0.8], gap_title="the notebook's indicator")
    assert fig.axes[1].get_title() == "the notebook's indicator"


def test_confusion_matrix_counts():
    counts = plotting.confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2], classes=3)
    assert counts.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    fig = plotting.plot_confusion_matrix(counts)
    assert fig.axes[0].get_xlabel() == "predicted digit"


def test_image_grid_titles_every_image():
    fig = plotting.image_grid(np.zeros((5, 28, 28)), [f"t{i}" for i in range(5)], columns=4)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["t0", "t1", "t2", "t3", "t4"]
