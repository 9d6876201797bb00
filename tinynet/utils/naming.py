"""The one place where a string name becomes an object (optimizer, loss, ...).

Every ``get('adam')``-style call in tinynet ends here, so every unknown name
gets the same kind of error, listing what would have worked.
"""


def lookup(what, name, table):
    """Return ``table[name]``; raise a ValueError naming the valid choices if absent.

    ``what`` is the argument's name, used in the message:
    ``Unknown optimizer: 'nadam'. Expected one of ['adam', 'sgd']. Received: optimizer='nadam'``
    """
    if isinstance(name, str) and name in table:
        return table[name]
    shown = f"'{name}'" if isinstance(name, str) else type(name).__name__
    raise ValueError(
        f"Unknown {what}: {shown}. Expected one of {sorted(table)}. Received: {what}={name!r}"
    )
