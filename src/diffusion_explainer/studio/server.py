"""The studio's web server: the page, its live events, line edits and the preview's files.

Starlette on uvicorn, bound to 127.0.0.1 unless told otherwise. Every request needs the token
printed with the URL (`http://127.0.0.1:PORT/?token=...`, as Jupyter does): the first visit trades it
for a cookie (HttpOnly, SameSite=Strict) and drops it from the address; a request that changes
anything must also carry it in the X-Studio-Token header, which the page reads from itself (so a
form on another site cannot post with the cookie alone). A request with another Host header than
the server's own address is refused too (a DNS-rebinding page would carry its own host name).

Routes: `/` the page, `/static/...` its script and style, `/events` the live events (Server-Sent
Events: `state` whenever anything the page shows changes, `log` for the render's progress lines),
`/api/state`, `POST /api/line` a line's new words, and `/build/...` the preview's files: only files
under the studio's build folder, after resolving the path (`..`, `%2F`, links and absolute paths
cannot leave it).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
import socket
import threading
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from .line_edit import EditRefused, LineEdit
from .session import Studio

COOKIE = "studio_token"
HEADER = "x-studio-token"
HERE = Path(__file__).parent
STATIC = {"studio.js": "text/javascript", "studio.css": "text/css"}


class Events:
    """Fan-out of the studio's events (from any thread) to every open page's queue."""

    def __init__(self):
        self._queues: set[asyncio.Queue] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closed = threading.Event()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def publish(self, event: str, data: dict) -> None:
        if self._loop is None or self.closed.is_set():
            return
        message = f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
        for queue in list(self._queues):
            self._loop.call_soon_threadsafe(queue.put_nowait, message)

    def close(self) -> None:
        """Ends every open stream (the server is stopping)."""
        self.closed.set()
        if self._loop is not None:
            for queue in list(self._queues):
                self._loop.call_soon_threadsafe(queue.put_nowait, None)

    async def stream(self, first: str):
        queue: asyncio.Queue = asyncio.Queue()
        self._queues.add(queue)
        try:
            yield first
            while not self.closed.is_set():
                try:
                    message = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    yield ": still here\n\n"  # keeps proxies and the browser from timing out
                    continue
                if message is None:
                    return
                yield message
        finally:
            self._queues.discard(queue)


def make_app(studio: Studio, events: Events, token: str, hosts: set[str]) -> Starlette:
    templates = Environment(loader=PackageLoader("diffusion_explainer.studio", ""),
                            autoescape=select_autoescape(["html", "j2"]))
    build_root = studio.layout.output.resolve()  # the preview's own folder: its video, captions and page

    def authorised(request: Request, *, changes: bool = False) -> bool:
        if request.headers.get("host", "") not in hosts:
            return False
        given = request.headers.get(HEADER) if changes else (request.cookies.get(COOKIE) or request.headers.get(HEADER))
        return bool(given) and hmac.compare_digest(given, token)

    def refused() -> Response:
        return PlainTextResponse("403: this studio needs its token: open the address it printed "
                                 "(http://127.0.0.1:PORT/?token=...)", status_code=403)

    async def page(request: Request) -> Response:
        given = request.query_params.get("token")
        if given is not None:
            if request.headers.get("host", "") not in hosts or not hmac.compare_digest(given, token):
                return refused()
            response = RedirectResponse("/", status_code=303)
            response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")
            return response
        if not authorised(request):
            return refused()
        html = templates.get_template("page.html.j2").render(token=token, state=studio.state())
        return Response(html, media_type="text/html", headers={"Cache-Control": "no-store"})

    async def static(request: Request) -> Response:
        if not authorised(request):
            return refused()
        name = request.path_params["name"]
        if name not in STATIC:
            return PlainTextResponse("404", status_code=404)
        return FileResponse(HERE / name, media_type=STATIC[name], headers={"Cache-Control": "no-store"})

    async def state(request: Request) -> Response:
        if not authorised(request):
            return refused()
        return JSONResponse(studio.state())

    async def stream(request: Request) -> Response:
        if not authorised(request):
            return refused()
        first = f"event: state\ndata: {json.dumps(studio.state(), ensure_ascii=False)}\n\n"
        return StreamingResponse(events.stream(first), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def edit_line(request: Request) -> Response:
        if not authorised(request, changes=True):
            return refused()
        try:
            body = await request.json()
            edit = LineEdit(str(body["scene"]), str(body["line"]), str(body["was"]), str(body["text"]),
                            str(body.get("say") or "") or None)
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "expected JSON with scene, line, was, text and say"}, status_code=400)
        try:
            await asyncio.to_thread(studio.edit_line, edit)
        except EditRefused as e:
            return JSONResponse({"error": str(e), "stale": e.stale}, status_code=409 if e.stale else 422)
        return JSONResponse({"ok": True})

    async def build_file(request: Request) -> Response:
        if not authorised(request):
            return refused()
        target = (build_root / request.path_params["path"]).resolve()
        if (not target.is_relative_to(build_root) or not target.is_file()
                or any(part.startswith(".") for part in target.relative_to(build_root).parts)):
            return PlainTextResponse("404: not a file of this studio's build", status_code=404)
        return FileResponse(target, headers={"Cache-Control": "no-store"})

    @asynccontextmanager
    async def lifespan(app):
        events.bind(asyncio.get_running_loop())
        yield
        events.close()

    return Starlette(routes=[
        Route("/", page),
        Route("/static/{name}", static),
        Route("/api/state", state),
        Route("/events", stream),
        Route("/api/line", edit_line, methods=["POST"]),
        Route("/build/{path:path}", build_file),
    ], lifespan=lifespan)


class _Server(uvicorn.Server):
    """uvicorn's server, which also ends the open event streams when asked to stop (else it would
    wait for them to close)."""

    def __init__(self, config: uvicorn.Config, events: Events):
        super().__init__(config)
        self.events = events

    def handle_exit(self, sig, frame) -> None:
        self.events.close()
        super().handle_exit(sig, frame)


def listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound now so that the printed address is the real one (port 0: any free port)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def serve(studio: Studio, events: Events, sock: socket.socket, token: str) -> None:
    """Run until Ctrl-C (or SIGTERM)."""
    host, port = sock.getsockname()[:2]
    names = {host, "localhost", "127.0.0.1", "[::1]"} if host in ("127.0.0.1", "::1") else {host}
    hosts = {f"{name}:{port}" for name in names}
    config = uvicorn.Config(make_app(studio, events, token, hosts), log_level="warning", access_log=False,
                            timeout_graceful_shutdown=2, lifespan="on")
    _Server(config, events).run(sockets=[sock])


def new_token() -> str:
    return secrets.token_urlsafe(24)
