"""Losses and metrics by class name, for both file formats.

A file names a class; the class is looked up in a fixed table of tinynet's own
Loss and Metric classes (never ``getattr`` on a module with a name from a file),
and made with the file's config as keyword arguments, which its constructor checks.
"""
from ... import losses
from ... import metrics as metrics_lib
from ...utils.naming import lookup

LOSSES = {cls.__name__: cls for cls in vars(losses).values()
          if isinstance(cls, type) and issubclass(cls, losses.Loss) and cls is not losses.Loss}
# Mean takes values rather than (y_true, y_pred), and a MeanMetricWrapper wraps a function: neither compiles.
METRICS = {cls.__name__: cls for cls in vars(metrics_lib).values()
           if isinstance(cls, type) and issubclass(cls, metrics_lib.Metric)
           and cls not in (metrics_lib.Metric, metrics_lib.Mean, metrics_lib.MeanMetricWrapper)}


def loss_from(class_name, config):
    return lookup("loss", class_name, LOSSES)(**config)


def metric_from(class_name, config):
    return lookup("metric", class_name, METRICS)(**config)


def metric_spec(spec):
    """A compiled metric as a file holds it: its name, or (class name, config) for a metric
    object; a clear error for a function or a class of the user's own."""
    if isinstance(spec, str):
        return spec
    if isinstance(spec, metrics_lib.Metric) and METRICS.get(type(spec).__name__) is type(spec):
        return type(spec).__name__, spec.get_config()
    raise ValueError(f"The metric {spec!r} is a Python function or a custom class, which a file cannot hold. "
                     "Save the weights with save_weights() instead, or compile with a metric name.")


def loss_spec(loss):
    """The compiled loss as (class name, config); a clear error for a class of the user's own."""
    if LOSSES.get(type(loss).__name__) is not type(loss):
        raise ValueError(f"The loss {loss!r} is a custom class, which a file cannot hold. Save the weights "
                         "with save_weights() instead, or compile with a loss name.")
    return type(loss).__name__, loss.get_config()
