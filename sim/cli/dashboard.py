"""``negsim dashboard [SCENARIO] [--port P] [--host H]``: the dashboard, from the command line."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from sim.cli.errors import UsageError
from sim.dashboard.server import DEFAULT_HOST, DEFAULT_PORT, free_port, serve, url
from sim.scenario.loader import load_scenario

MISSING_EXTRA = "install the dashboard extra: pip install 'negsim[dashboard]'"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: '{text}'") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, got {port}")
    return port


def add_dashboard_arguments(parser: argparse.ArgumentParser) -> None:
    """The dashboard's arguments: an optional scenario, ``--port`` and ``--host``."""
    parser.add_argument(
        "scenario",
        type=Path,
        nargs="?",
        default=None,
        help="scenario YAML file to open first; the picker lists the files beside it "
        "(default: scenarios/baseline.yaml)",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"TCP port (default {DEFAULT_PORT}; 0: any free port)",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to bind (default {DEFAULT_HOST}: this machine only)",
    )


def dashboard_installed() -> bool:
    """Whether the optional ``dashboard`` extra (Solara and its server) is installed."""
    return all(importlib.util.find_spec(m) is not None for m in ("solara", "uvicorn"))


def dashboard_main(args: argparse.Namespace, console: Console) -> int:
    """Check the scenario, then serve the dashboard until interrupted.

    Raises:
        UsageError: the dashboard extra is not installed.
        ScenarioError: the scenario given is invalid (``negsim`` reports both, exit status 2).
    """
    if not dashboard_installed():
        raise UsageError(MISSING_EXTRA)
    if args.scenario is not None:
        load_scenario(args.scenario)
    try:
        free = free_port(args.host)  # also checks the host can be listened on, before serving
    except (OSError, UnicodeError) as exc:  # UnicodeError: a name IDNA cannot encode
        raise UsageError(f"--host {args.host}: cannot listen on it ({exc})") from None
    port = args.port or free
    console.print(
        f"negsim dashboard: {escape(url(args.host, port))}  (Ctrl+C to stop)", highlight=False
    )
    if args.host not in LOCAL_HOSTS:
        Console(stderr=True).print(
            f"[yellow]warning:[/] listening on {escape(args.host)}: reachable from other machines"
        )
    serve(args.scenario, port, args.host)
    return 0
