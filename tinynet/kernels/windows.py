"""Sliding windows over a batch of images: sizes, padding, im2col and col2im.

Images are channels-last, x (n, h, w, c), as in Keras. A window of kh x kw taps
with dilation d spans (kh - 1) * d + 1 rows; it moves by the stride. With
``before`` and ``after`` rows of padding,

    out = (h + before + after - span) // stride + 1          (the same for columns)

'valid' pads nothing. 'same' pads just enough that out = ceil(h / stride):
    total = max((out - 1) * stride + span - h, 0),  before = total // 2,  after = total - before
(an odd total puts the extra row at the end, as TensorFlow does).

im2col turns a convolution into the matrix product the learner already knows:
every window becomes one row of a matrix ``cols`` (n * oh * ow, kh * kw * c),
whose columns run over the taps in the kernel's own order (kh, kw, c). Then

    conv(x, W) = cols @ W.reshape(kh * kw * c, filters)

col2im is its adjoint: it adds each row of a (n * oh * ow, kh * kw * c) gradient
back onto the pixels that row was copied from (a pixel in several windows gets
the sum).
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._jit import kernel


def padding_for(size, kernel_size, stride, dilation, padding):
    """(before, after) rows of zero padding for one axis: 'valid' or 'same'."""
    if padding == "valid":
        return 0, 0
    span = (kernel_size - 1) * dilation + 1
    out = (size - 1) // stride + 1
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


@kernel
def output_size(size, kernel_size, stride, dilation, before, after):
    """How many window positions fit along one axis (0 or less: none)."""
    span = (kernel_size - 1) * dilation + 1
    return (size + before + after - span) // stride + 1


def im2col_numpy(x, kernel_size, strides, dilation, pads, fill=0.0):
    """x (n, h, w, c) -> cols (n, oh, ow, kh, kw, c): cols[i, r, q] is the window
    whose output lands at (r, q), its taps in the kernel's order. ``pads`` is
    (top, bottom, left, right); padded pixels hold ``fill``. Reshape the result to
    (n * oh * ow, kh * kw * c) for the matrix of the module docstring."""
    (kh, kw), (sh, sw), (dh, dw) = kernel_size, strides, dilation
    top, bottom, left, right = pads
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    span = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
    windows = sliding_window_view(xp, span, axis=(1, 2))   # (n, every r, every q, c, span_h, span_w)
    windows = windows[:, ::sh, ::sw, :, ::dh, ::dw]        # the strides, then the dilated taps
    return windows.transpose(0, 1, 2, 4, 5, 3)             # (n, oh, ow, kh, kw, c): a view, no copy


def col2im_numpy(dcols, x_shape, strides, dilation, pads):
    """dcols (n, oh, ow, kh, kw, c) -> dx (n, h, w, c), the adjoint of im2col: tap
    (a, b) of every window adds its values to a strided slice of the (padded)
    image, and the padding is cut off at the end."""
    n, oh, ow, kh, kw, c = dcols.shape
    (sh, sw), (dh, dw) = strides, dilation
    top, bottom, left, right = pads
    dxp = np.zeros((n, x_shape[1] + top + bottom, x_shape[2] + left + right, c), dcols.dtype)
    for a in range(kh):
        for b in range(kw):
            dxp[:, a * dh:a * dh + (oh - 1) * sh + 1:sh, b * dw:b * dw + (ow - 1) * sw + 1:sw] += dcols[:, :, :, a, b]
    return dxp[:, top:top + x_shape[1], left:left + x_shape[2]]


@kernel
def im2col_image(x, kh, kw, strides, dilation, pads, cols):
    """One image's windows as rows: x (h, w, c) -> cols (oh * ow, kh * kw * c).

    Padding is never stored: a tap outside the image writes zeros. Two loop
    orders fill the same cols. When the columns are undilated, a window's row of
    taps, x[r, q0:q0 + kw, :], is kw * c consecutive floats of the image, copied
    as one run (``_im2col_rows``); otherwise window by window, tap by tap
    (``_im2col_windows``).

    (Every copy here runs over slices from index 0: Numba tests a possibly
    negative index for wrap-around, and with ``x[base + e]`` those tests turned
    the copy into gathers of one float at a time.)
    """
    if dilation[1] == 1:
        _im2col_rows(x, kh, kw, strides, dilation, pads, cols)
    else:
        _im2col_windows(x, kh, kw, strides, dilation, pads, cols)


@kernel
def _im2col_windows(x, kh, kw, strides, dilation, pads, cols):
    """Window by window: for a given tap the c channels are contiguous in both x
    and cols (channels-last), so the innermost loop is a plain copy."""
    h, w, c = x.shape
    top, left = pads[0], pads[2]
    oh = output_size(h, kh, strides[0], dilation[0], pads[0], pads[1])
    ow = output_size(w, kw, strides[1], dilation[1], pads[2], pads[3])
    for i in range(oh):
        for j in range(ow):
            out = i * ow + j
            for a in range(kh):
                r = i * strides[0] - top + a * dilation[0]
                _copy_taps(x, r, j * strides[1] - left, kw, dilation[1], cols, out, a * kw * c)


@kernel
def _im2col_rows(x, kh, kw, strides, dilation, pads, cols):
    """Row of taps by row of taps (columns undilated): tap row a of window (i, j)
    is x[r, q0:q0 + kw, :], kw * c consecutive floats of the flat image when the
    window lies across the image, copied in one run; windows that reach into the
    padding take the tap-by-tap copy."""
    h, w, c = x.shape
    top, left = pads[0], pads[2]
    oh = output_size(h, kh, strides[0], dilation[0], pads[0], pads[1])
    ow = output_size(w, kw, strides[1], dilation[1], pads[2], pads[3])
    xf = np.ascontiguousarray(x).reshape(-1)  # no copy for a contiguous image
    run = kw * c
    for i in range(oh):
        for a in range(kh):
            r = i * strides[0] - top + a * dilation[0]
            start = a * run
            for j in range(ow):
                out = i * ow + j
                q0 = j * strides[1] - left
                if 0 <= r < h and q0 >= 0 and q0 + kw <= w:
                    base = (r * w + q0) * c
                    dst, src = cols[out, start:start + run], xf[base:base + run]
                    for e in range(run):
                        dst[e] = src[e]
                else:
                    _copy_taps(x, r, q0, kw, 1, cols, out, start)


@kernel
def _copy_taps(x, r, q0, kw, step, cols, out, start):
    """Tap row r of one window, tap by tap: x[r, q0 + b * step, :] for b < kw into
    cols[out, start + b * c:...]; a tap outside the image writes zeros."""
    h, w, c = x.shape
    for b in range(kw):
        q = q0 + b * step
        dst = cols[out, start + b * c:start + (b + 1) * c]
        if 0 <= r < h and 0 <= q < w:
            src = x[r, q]
            for ch in range(c):
                dst[ch] = src[ch]
        else:
            dst[:] = 0


@kernel
def col2im_image(dcols, kh, kw, strides, dilation, pads, dx):
    """The adjoint of ``im2col_image``: dx (h, w, c) += each row of dcols
    (oh * ow, kh * kw * c) added back onto the pixels it came from; taps in the
    padding are dropped."""
    h, w, c = dx.shape
    top, left = pads[0], pads[2]
    oh = output_size(h, kh, strides[0], dilation[0], pads[0], pads[1])
    ow = output_size(w, kw, strides[1], dilation[1], pads[2], pads[3])
    for i in range(oh):
        for j in range(ow):
            row = i * ow + j
            for a in range(kh):
                r = i * strides[0] - top + a * dilation[0]
                if r < 0 or r >= h:
                    continue
                for b in range(kw):
                    q = j * strides[1] - left + b * dilation[1]
                    if 0 <= q < w:
                        start = (a * kw + b) * c
                        for ch in range(c):
                            dx[r, q, ch] += dcols[row, start + ch]
