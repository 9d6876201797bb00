"""``Model``: Keras' functional and subclassing API, which tinynet does not have.

In Keras, ``Model(inputs=x, outputs=y)`` wires layers into any graph, and
``class MyModel(Model)`` writes ``call`` by hand. tinynet keeps to ``Sequential``
(one layer after another, each with its backward pass written out), so this name
exists only to say so clearly instead of failing with an AttributeError.
"""

FUNCTIONAL_API = ("tinynet has only Sequential models: Keras' functional API (Model(inputs=..., outputs=...), "
                  "calling a layer on an Input) and subclassed models are not part of it. Stack the layers in a "
                  "tinynet.models.Sequential, or move to Keras for other graphs: a Sequential saved as .keras "
                  "opens there.")


class Model:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(f"{FUNCTIONAL_API} Received: Model({_shown(args, kwargs)})")


def _shown(args, kwargs):
    parts = [type(a).__name__ for a in args] + [f"{k}=..." for k in kwargs]
    return ", ".join(parts)
