"""The command line, ``negsim`` (docs/cli.md): one command table, one way to report bad input."""

from sim.cli.main import main

__all__ = ["main"]
