"""``model.summary()``: the layer table Keras prints, drawn with box characters."""

COLUMNS = (("Layer (type)", 33, "<"), ("Output Shape", 24, "<"), ("Param #", 15, ">"))


def _size(count, nbytes=None):
    """Bytes, float32 parameters unless given, as Keras shows them: 397.54 KB."""
    size = count * 4.0 if nbytes is None else float(nbytes)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024


def _row(cells, edge="│", sep="│"):
    parts = [f" {str(c):{align}{width - 2}} " for c, (_, width, align) in zip(cells, COLUMNS)]
    return edge + sep.join(parts) + edge


def _rule(left, mid, right, fill):
    return left + mid.join(fill * width for _, width, _ in COLUMNS) + right


def table(model):
    lines = [f'Model: "{model.name}"', _rule("┏", "┳", "┓", "━"),
             _row([c[0] for c in COLUMNS], "┃", "┃"), _rule("┡", "╇", "┩", "━")]
    shape = model._sample_shape
    for i, layer in enumerate(model.layers):
        if shape is not None:
            shape = layer.compute_output_shape(shape)
            shown = "(None, " + ", ".join(map(str, shape)) + ")"
        else:
            shown = "?"
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        lines.append(_row([f"{layer.name} ({type(layer).__name__})", shown, params]))
        if i < len(model.layers) - 1:
            lines.append(_rule("├", "┼", "┤", "─"))
    lines.append(_rule("└", "┴", "┘", "─"))
    params = model.count_params()
    trainable = int(sum(w.size for w in model.trainable_weights))
    # Once the optimizer has its state, Keras counts it too: the slots (float32), the step
    # count (int64) and the learning rate (float32), and adds them to the total.
    optimizer = getattr(model, "optimizer", None)
    opt_count = opt_bytes = 0
    if optimizer is not None and optimizer.slots is not None:
        slots = sum(a.size for kind in optimizer.slots for a in kind)
        opt_count, opt_bytes = slots + 2, slots * 4 + 8 + 4
    total = params + opt_count
    lines += [f" Total params: {total:,} ({_size(total, params * 4 + opt_bytes)})",
              f" Trainable params: {trainable:,} ({_size(trainable)})",
              f" Non-trainable params: {params - trainable:,} ({_size(params - trainable)})"]
    if opt_count:
        lines.append(f" Optimizer params: {opt_count:,} ({_size(opt_count, opt_bytes)})")
    return "\n".join(lines)
