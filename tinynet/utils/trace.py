"""One training step, looked at from inside: what each layer got and gave, the
gradients that came back, whether they are right, and what the step changed.

    from tinynet.utils import trace_step
    t = trace_step(model, x[:32], y[:32])    # any compiled Sequential, one batch
    print(t.table())                         # forward, backward and parameter tables
    fig = t.plot()                           # the same, drawn

For a batch x (n, ...) with targets y, ``trace_step`` runs the model's own
forward and backward pass once (``model.compute_gradients``, as ``fit`` does)
and records, for every layer of ``model.layers``:
    x, y     its input and output, (n, ...) each, in training mode
    dy       dL/dy that reached it in the backward pass (for an output softmax
             or sigmoid that hands its logits z to the loss: dL/dz), or None
    dx       dL/dx it passed back, or None when nothing needs it (the first
             layer with weights: its input is data)
and for every weight that fit trains, w (its value before the step):
    grad     dL/dw, float32, as the step used it
    check    relative error |a - b| / (|a| + |b|) between the backward pass (in
             float64) and central differences (L(w + h) - L(w - h)) / 2h on
             ``check_entries`` entries drawn at random (``gradient_check``);
             None for models with Dropout, whose loss changes with every mask
    update   Δw = w after - w before, one step of the model's optimizer
Here L = the mean loss over the batch + the weights' penalties, as fit minimises.

The ratio ‖Δw‖ / ‖w‖ says how fast a weight moves: around 1e-3 per step is a
common rule of thumb for a healthy learning rate; far above it, training jumps;
far below, it crawls.

``apply=False`` (the default) puts the weights and the optimizer's state back
afterwards, so tracing changes nothing; ``apply=True`` keeps the step, as one
batch of ``fit`` would.
"""
import numpy as np

from . import gradient_check


class LayerTrace:
    """What one layer received and produced in the traced step (see the module docstring)."""

    def __init__(self, layer):
        self.name, self.kind = layer.name, type(layer).__name__
        self.x = self.y = self.dy = self.dx = None
        self.at_logits = False  # dy is dL/dz at the logits, not dL/dy
        self.params = []


class ParamTrace:
    """One trained weight: value before the step, gradient, numerical check, update."""

    def __init__(self, layer_name, name, value, grad):
        self.layer, self.name, self.value, self.grad = layer_name, name, value, grad
        self.check, self.update = None, None

    @property
    def ratio(self):
        """‖Δw‖ / ‖w‖: the step's size against the weight's; None while ‖w‖ = 0 (a bias
        before its first step)."""
        norm = np.linalg.norm(self.value)
        return float(np.linalg.norm(self.update) / norm) if norm else None


def summary(a):
    """{'mean', 'std', 'min', 'max', 'zeros' (the share of entries exactly 0)} of an array."""
    a = np.asarray(a, np.float64)
    return {"mean": a.mean(), "std": a.std(), "min": a.min(), "max": a.max(), "zeros": float(np.mean(a == 0))}


def _record(layer, record):
    """Make ``layer`` keep copies of what passes through it into ``record``, by putting
    recording versions of its ``call``, ``backward`` and ``backward_from_logits`` on
    the instance; ``_forget`` takes them off again. The layer computes as before."""
    call, backward = layer.call, layer.backward
    from_logits = getattr(layer, "backward_from_logits", None)

    def recorded_call(x, training=False):
        y = call(x, training=training)
        record.x, record.y = np.array(x), np.array(y)
        return y

    def recorded_backward(dy):
        dx = backward(dy)
        record.dy, record.dx = np.array(dy), None if dx is None else np.array(dx)
        return dx

    def recorded_from_logits(dz):
        dx = from_logits(dz)
        record.dy, record.dx, record.at_logits = np.array(dz), None if dx is None else np.array(dx), True
        return dx

    layer.call, layer.backward = recorded_call, recorded_backward
    if from_logits is not None:
        layer.backward_from_logits = recorded_from_logits


def _forget(layer):
    for name in ("call", "backward", "backward_from_logits"):
        layer.__dict__.pop(name, None)  # the class's own methods show through again


def _optimizer_state(optimizer):
    slots = None if optimizer.slots is None else [[a.copy() for a in kind] for kind in optimizer.slots]
    return optimizer.iterations, slots


def _restore_optimizer_state(optimizer, saved):
    """Puts back what ``_optimizer_state`` saved, into the same slot arrays: a
    training step compiled at the start of ``fit`` holds them, and a trace taken
    from a callback must not leave it updating arrays the optimizer has dropped."""
    optimizer.iterations, slots = saved
    if slots is None or optimizer.slots is None:
        optimizer.slots = slots
        return
    for kind, saved_kind in zip(optimizer.slots, slots):
        for a, b in zip(kind, saved_kind):
            a[...] = b


def _sampled_check(model, x, y, entries, rng):
    """Relative error of each trained weight's gradient on ``entries`` random entries:
    the backward pass in float64 against central differences of the loss."""
    from ..layers import Dropout
    from ..models.sequential import all_layers

    if any(isinstance(layer, Dropout) for layer in all_layers(model)):
        return None
    leaves = list({id(layer): layer for layer, _ in model.weight_slots()}.values())
    home = {id(leaf): k for k, top in enumerate(model.layers) for leaf, _ in top.weight_slots()}
    with gradient_check.float64_numpy(leaves):
        model.compute_gradients(np.asarray(x, np.float64), y)
        analytic = [np.array(g, np.float64) for g in model.gradients()]
        inputs = [np.asarray(x, np.float64)]  # each layer's input, with no weight perturbed
        for layer in model.layers[:-1]:
            inputs.append(layer.call(inputs[-1], training=False))

        def loss_from(k):
            """The loss, recomputed from layer k on: a weight of layer k changes nothing before it."""
            h = inputs[k]
            for layer in model.layers[k:]:
                h = layer.call(h, training=False)
            return float(model.sample_losses(h, y).mean()) + sum(model.losses)

        errors = []
        for (leaf, name), a in zip(model._train_slots, analytic):
            flat, k = leaf.params[name].reshape(-1), home[id(leaf)]
            picked = rng.choice(flat.size, size=min(entries, flat.size), replace=False)
            numeric = []
            for i in picked:
                old = flat[i]
                flat[i] = old + 1e-6
                up = loss_from(k)
                flat[i] = old - 1e-6
                down = loss_from(k)
                flat[i] = old
                numeric.append((up - down) / 2e-6)
            errors.append(gradient_check.relative_error(a.reshape(-1)[picked], numeric))
    return errors


def trace_step(model, x, y, apply=False, check_entries=6, seed=0):
    """Trace one training step of a compiled Sequential on the batch (x, y).

    x (n, *input_shape), y its targets as ``fit`` takes them. Returns a StepTrace.
    ``check_entries``: how many entries of each weight to check numerically (0: none).
    ``seed``: picks those entries. See the module docstring for what is recorded.
    """
    from ..models import data

    data.require_compiled(model, "trace_step")
    x, y = data.prepare_data(model, x, y)
    if not model.built:
        model.build((None,) + x.shape[1:])
    records = [LayerTrace(layer) for layer in model.layers]
    try:
        for layer, record in zip(model.layers, records):
            _record(layer, record)
        sample_losses, _ = model.compute_gradients(x, y)
    finally:
        for layer in model.layers:
            _forget(layer)
    loss = float(np.mean(sample_losses, dtype=np.float64)) + sum(model.losses)
    grads = [g.copy() for g in model.gradients()]
    slots = model._train_slots  # the weights fit trains, fixed by gradients() above
    owner = {id(leaf): record for top, record in zip(model.layers, records) for leaf, _ in top.weight_slots()}
    params = [ParamTrace(leaf.name, name, leaf.params[name].copy(), g) for (leaf, name), g in zip(slots, grads)]
    for (leaf, _), p in zip(slots, params):
        owner[id(leaf)].params.append(p)
    if check_entries:
        errors = _sampled_check(model, x, y, check_entries, np.random.default_rng(seed))
        for p, err in zip(params, errors or [None] * len(params)):
            p.check = err
    saved = _optimizer_state(model.optimizer)
    model.optimizer.apply(model._params, grads)
    for p, w in zip(params, model._params):
        p.update = w - p.value
    if not apply:
        for p, w in zip(params, model._params):
            w[...] = p.value
        _restore_optimizer_state(model.optimizer, saved)
    return StepTrace(model, records, params, loss, len(x), applied=apply)


def _g(value):
    return "-" if value is None else f"{value:.3g}"


def _norm(a):
    return None if a is None else float(np.linalg.norm(a))


class StepTrace:
    """The record of one traced step: ``layers`` (LayerTrace, one per layer of the
    model), ``params`` (ParamTrace, one per trained weight), ``loss`` (the batch's
    loss before the step), ``batch`` (its size), ``applied`` (whether the step was kept)."""

    def __init__(self, model, layers, params, loss, batch, applied):
        self.model_name, self.layers, self.params = model.name, layers, params
        self.loss, self.batch, self.applied = loss, batch, applied
        self.optimizer = type(model.optimizer).__name__

    def table(self):
        """Three tables as text: forward (per layer), backward (per layer), parameters."""
        kept = "kept" if self.applied else "undone: the weights and optimizer are as before"
        lines = [f"Model '{self.model_name}', one step on a batch of {self.batch}: loss {self.loss:.4f}; "
                 f"{self.optimizer} step {kept}.", "",
                 f"{'forward':24} {'input -> output':28} {'y[0, :3]':26} {'mean':>9} {'std':>9} {'min':>9} "
                 f"{'max':>9} {'zeros':>6}"]
        for r in self.layers:
            s = summary(r.y)
            first = ", ".join(f"{v:.3g}" for v in r.y.reshape(len(r.y), -1)[0, :3])
            shapes = f"{r.x.shape} -> {r.y.shape}"
            lines.append(f"{r.name + ' (' + r.kind + ')':24} {shapes:28} {first:26} {s['mean']:9.3g} "
                         f"{s['std']:9.3g} {s['min']:9.3g} {s['max']:9.3g} {s['zeros']:6.0%}")
        lines += ["", f"{'backward':24} {'‖dL/dy‖ arriving':>18} {'‖dL/dx‖ passed back':>20}"]
        for r in reversed(self.layers):
            arriving = _g(_norm(r.dy)) + (" (dL/dz, logits)" if r.at_logits else "")
            passed = "not needed" if r.dy is not None and r.dx is None else _g(_norm(r.dx))
            lines.append(f"{r.name:24} {arriving:>18} {passed:>20}" if r.dy is not None else
                         f"{r.name:24} {'-':>18} {'-':>20}   (before the first weights: nothing needs it)")
        lines += ["", f"{'parameter':24} {'shape':12} {'‖w‖':>9} {'‖grad‖':>9} {'check':>9} {'‖Δw‖':>9} "
                      f"{'‖Δw‖/‖w‖':>9}"]
        for p in self.params:
            lines.append(f"{p.layer + '.' + p.name:24} {str(p.value.shape):12} {_norm(p.value):9.3g} "
                         f"{_norm(p.grad):9.3g} {_g(p.check):>9} {_norm(p.update):9.3g} {_g(p.ratio):>9}")
        checks = [p.check for p in self.params if p.check is not None]
        lines.append("check: relative error of sampled entries against central differences (float64); "
                     + (f"largest {max(checks):.1e}: " + ("below 1e-6, the gradients are right."
                                                          if max(checks) < 1e-6 else "above 1e-6: look closer.")
                        if checks else "not run (none asked for, or the model has Dropout)."))
        return "\n".join(lines)

    def __str__(self):
        return self.table()

    def plot(self):
        """A figure of three panels: each layer's outputs (box: middle half, whiskers:
        min-max), the gradient norms arriving at each layer, and per weight the step
        size ‖Δw‖/‖w‖ and the numerical check, on log scales."""
        import matplotlib.pyplot as plt  # late: the caller picks the backend first
        from matplotlib import ticker

        fig, (fwd, bwd, par) = plt.subplots(1, 3, figsize=(17, 4.8))
        names = [r.name for r in self.layers]
        fwd.boxplot([r.y.reshape(-1) for r in self.layers], whis=(0, 100), showfliers=False)
        fwd.set_xticks(range(1, len(names) + 1), names, rotation=30, ha="right")
        for i, r in enumerate(self.layers, start=1):
            fwd.annotate(f"{summary(r.y)['zeros']:.0%} zeros", (i, 1.0), xycoords=("data", "axes fraction"),
                         ha="center", va="top", fontsize=8)
        fwd.set_title("Forward: each layer's outputs")
        # Log scales, so points rather than bars: a bar's length on a log axis depends on
        # where the axis happens to start.
        backward = [(i, _norm(r.dy), r.at_logits) for i, r in enumerate(self.layers) if r.dy is not None]
        bwd.plot([i for i, _, _ in backward], [n for _, n, _ in backward], "-", color="tab:gray", linewidth=1)
        for i, norm, at_logits in backward:
            bwd.plot(i, norm, "o", markersize=8, color="tab:purple" if at_logits else "tab:blue")
            # each point's value: norms within one power of ten leave the log axis without labels
            bwd.annotate(f"{norm:.3g}", (i, norm), textcoords="offset points", xytext=(7, 4), fontsize=8)
        bwd.set_yscale("log")
        bwd.set_xticks(range(len(names)), names, rotation=30, ha="right")
        bwd.set_xlim(-0.5, len(names) - 0.5)
        bwd.set_title("Backward: ‖dL/dy‖ arriving (purple: dL/dz at the logits)")
        labels = [f"{p.layer}.{p.name}" for p in self.params]
        at = np.arange(len(labels))
        par.plot(at, [p.ratio or np.nan for p in self.params], "o", markersize=8, color="tab:green",
                 label="‖Δw‖ / ‖w‖ (dotted: 1e-3)")
        par.plot(at, [p.check if p.check else np.nan for p in self.params], "X", markersize=8, color="tab:red",
                 label="check: relative error (dotted: 1e-6)")
        par.axhline(1e-3, color="tab:green", linestyle=":", linewidth=1)
        par.axhline(1e-6, color="tab:red", linestyle=":", linewidth=1)
        par.set_yscale("log")
        par.set_xticks(at, labels, rotation=30, ha="right")
        par.set_title("Per weight: step size and gradient check")
        par.legend(fontsize=8)
        for ax in (bwd, par):  # plain labels (1e-03): quicker to draw than typeset powers of ten
            ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:.0e}"))
            ax.yaxis.set_minor_formatter(ticker.NullFormatter())
        for ax in (fwd, bwd, par):
            ax.grid(True, axis="y", alpha=0.3)
        fig.suptitle(f"One {self.optimizer} step on a batch of {self.batch}: loss {self.loss:.4f}", fontweight="bold")
        fig.tight_layout()
        return fig
