"""AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, as Keras 3."""
from .adam import Adam


class AdamW(Adam):
    """Adam whose ``weight_decay`` is on by default (0.004). As in Keras, the
    decay is the one every optimizer offers: before each Adam update,
    p <- p - p * weight_decay * lr, apart from the gradient (it does not pass
    through m and v, which is what "decoupled" means)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **kwargs)
