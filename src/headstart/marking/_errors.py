"""The one exception type of headstart.marking."""


class MarkingError(ValueError):
    """Bad input to headstart.marking: the message says which argument and why."""
