"""``model.summary()``: the layer table Keras prints, drawn with box characters."""

COLUMNS = (("Layer (type)", 33, "<"), ("Output Shape", 24, "<"), ("Param #", 15, ">"))


def _size(count):
    """Bytes of float32 parameters, as Keras shows them: 397.54 KB."""
    size = count * 4.0
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
    shape = model.input_shape
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
    total = model.count_params()
    lines += [f" Total params: {total:,} ({_size(total)})",
              f" Trainable params: {total:,} ({_size(total)})",
              f" Non-trainable params: 0 ({_size(0)})"]
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and optimizer.slots is not None:
        count = sum(a.size for kind in optimizer.slots for a in kind) + 1
        lines.append(f" Optimizer params: {count:,} ({_size(count)})")
    return "\n".join(lines)
