"""`python -m diffusion_explainer studio`: start the warm workers, the studio and its server; stop
them all on Ctrl-C."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from ..core.settings import RenderSettings
from ..render.warm_processes import WarmProcesses
from .server import Events, listen, new_token, serve
from .session import Studio


def run_studio(screenplay: Path, settings: RenderSettings, host: str = "127.0.0.1", port: int = 8700) -> None:
    events = Events()
    warm = WarmProcesses()
    studio = Studio(screenplay, settings, events.publish, warm)  # refuses a screenplay that does not load
    sock = listen(host, port)
    token = new_token()
    _interrupt_on_sigterm()
    try:
        started = time.monotonic()
        print(f"studio: {studio.path}, previews at {settings.describe()} in {studio.layout.output}", flush=True)
        seconds = warm.start_server()
        print(f"studio: scene workers warm (Manim imported once, {seconds:.1f} s); each job is a fork of it",
              flush=True)
        studio.start()
        shown = f"[{host}]" if ":" in host else host
        print(f"studio: open http://{shown}:{sock.getsockname()[1]}/?token={token}  "
              f"(ready in {time.monotonic() - started:.1f} s; Ctrl-C stops it)", flush=True)
        serve(studio, events, sock, token)
    except KeyboardInterrupt:
        pass
    finally:
        events.close()
        studio.stop()
        warm.close()
        sock.close()
        print("studio: stopped", file=sys.stderr, flush=True)


def _interrupt_on_sigterm() -> None:
    """SIGTERM stops the studio as Ctrl-C does (uvicorn raises the signal again once it has stopped)."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
