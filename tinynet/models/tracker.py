"""What ``fit`` and ``evaluate`` report after each batch: the running mean of the
loss and of every compiled metric, as Keras keeps them.

The loss: the sum of (batch loss x batch size) over the samples seen so far,
divided by their number, in float32 (a short last batch counts by its size).
A batch's loss is sum_i w_i l_i / n with sample weights w (all 1 without them),
plus the regularization penalties. The metrics are Keras' metric objects
(``tinynet.metrics``), unweighted as Keras' ``compile(metrics=...)`` are.

How each metric gets a batch, chosen once per data set:
    an accuracy      the class label of every target is computed once
                     (``metric.labels(y)``), and each batch costs one count of the
                     rows whose best score is at the label;
    a cross-entropy  taken from the logits of the output layer when its activation
                     is the one the metric undoes (as the loss is);
    any other        ``metric.update_state(y_batch, y_pred_batch)``.
"""
import numpy as np


class Tracker:
    def __init__(self, model, metrics, y):
        """``metrics``: the model's compiled metric objects; ``y``: the prepared targets
        of the whole data set (the accuracies' labels come from them)."""
        self.model, self.metrics = model, metrics
        self.total_loss = np.float32(0)
        self.seen = 0
        self.labels, self.from_logits = [], []
        for metric in metrics:
            metric.reset_state()
            counting = hasattr(metric, "update_state_from_labels")
            self.labels.append(metric.labels(y) if counting else None)
            wanted = getattr(metric, "logits_activation", None)
            self.from_logits.append(wanted is not None and not getattr(metric, "from_logits", False)
                                    and model.output_activation == wanted)

    def add(self, batch_loss, out, y, rows):
        """One batch: its loss, the output (n, ...), its targets y and which rows of the
        data set they are (a slice, or an index array when shuffled)."""
        size = len(out)
        self.total_loss += np.float32(batch_loss) * np.float32(size)
        self.seen += size
        for metric, labels, from_logits in zip(self.metrics, self.labels, self.from_logits):
            if labels is not None:
                metric.update_state_from_labels(labels[rows], out)
            elif from_logits:
                metric.update_state_from_logits(y, self.model.logits)
            else:
                metric.update_state(y, out)

    def add_counted(self, batch_loss, size, correct):
        """One batch of ``fit``'s compiled step: its loss, its size and how many of its
        predictions were right (what ``add`` would count for an accuracy)."""
        self.total_loss += np.float32(batch_loss) * np.float32(size)
        self.seen += size
        for metric in self.metrics:
            metric._add_counts(correct, size)

    def logs(self):
        out = {"loss": float(self.total_loss / np.float32(self.seen))}
        for metric in self.metrics:
            out[metric.name] = float(metric.result())
        return out
