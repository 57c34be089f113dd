"""Serve the dashboard with Solara's server (Starlette on uvicorn), on 127.0.0.1 by default.

Solara reads its settings from the environment when it is first imported, so everything is set
before the import: the app, no telemetry (the dashboard must work offline), and the scenario to
open. Its page assets come from the ``solara-assets`` package, never from a CDN.

Solara's page handler (``solara.server.starlette.root``, Solara 1.64) sets its session cookie
``SameSite=None; Secure`` only over https or on the host name ``localhost``; on any other
address over http (``127.0.0.1``, the default) it falls back to ``SameSite=Lax`` and says so
with a ten-line ``UserWarning`` at the first request, meant for a page embedded in another
site's iframe. Solara has no setting for it (its ``SOLARA_SESSION_SAME_SITE`` is not read
there). The dashboard is a page of its own, never embedded, for which Lax is the right cookie:
so that one warning, by its message and module, is ignored (:func:`quiet_cookie_warning`);
every other warning still shows.
"""

from __future__ import annotations

import os
import socket
import warnings
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP = "sim.dashboard.app:Page"
SCENARIO_ENV = "NEGSIM_DASHBOARD_SCENARIO"
DIRECTORY_ENV = "NEGSIM_DASHBOARD_DIR"
COOKIE_WARNING = "Cookies with samesite=none require https"
"""The start of Solara's warning that a session cookie fell back to SameSite=Lax over http."""
COOKIE_WARNING_MODULE = r"solara\.server\.starlette"
"""The module that issues it."""


def quiet_cookie_warning() -> None:
    """Ignore Solara's SameSite fallback warning, and only it (see the module docstring)."""
    warnings.filterwarnings(
        "ignore", message=COOKIE_WARNING, category=UserWarning, module=COOKIE_WARNING_MODULE
    )


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port that is free on ``host`` right now (an IPv4 or IPv6 address, or a name).

    Raises:
        OSError: the host cannot be resolved or listened on (``socket.gaierror`` included).
    """
    family, kind, proto, _, address = socket.getaddrinfo(host, 0, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as sock:
        sock.bind(address)
        return int(sock.getsockname()[1])


def url(host: str, port: int) -> str:
    """The dashboard's address, an IPv6 host in brackets (``http://[::1]:8765/``)."""
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def configure(scenario: str | Path | None, host: str, port: int) -> None:
    """Set the environment Solara and the app read at import (call before importing solara)."""
    os.environ["SOLARA_APP"] = APP
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    if scenario is not None:
        path = Path(scenario).resolve()
        os.environ[SCENARIO_ENV] = str(path)
        os.environ[DIRECTORY_ENV] = str(path.parent)


def serve(
    scenario: str | Path | None = None, port: int = DEFAULT_PORT, host: str = DEFAULT_HOST
) -> None:
    """Serve the dashboard until interrupted.

    Args:
        scenario: the scenario file to open first; the picker lists the ``*.yaml`` files beside
            it (default: ``scenarios/baseline.yaml``).
        port: the TCP port (0: any free port).
        host: the address to bind; 127.0.0.1 keeps the dashboard on this machine.
    """
    port = port or free_port(host)
    configure(scenario, host, port)
    quiet_cookie_warning()
    import uvicorn

    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")
