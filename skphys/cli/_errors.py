"""The error a sub-command raises for bad input it detects itself."""


class CommandError(Exception):
    """Bad input named in one line; the command exits with status 2."""
