"""The command line's bad input: its exit status and its error type."""

BAD_INPUT = 2
"""Exit status of every command given bad input (a file, a field or an argument)."""


class UsageError(Exception):
    """A command-line argument is invalid."""
