"""Who may talk to the workshop dashboard's server: its own host names, its own pages, a few sessions.

A page on another site (``http://evil.example``) could otherwise open a kernel WebSocket to the
dashboard on the participant's computer and drive it, and DNS rebinding (``evil.example`` made to
resolve to 127.0.0.1) would let such a page load the dashboard itself. The guard, an ASGI
middleware in front of the Solara server (:func:`install`, called once when the app is loaded):

- serves a request only if its ``Host`` is an IP address (what a browser sends for
  ``http://127.0.0.1:8765`` or ``http://192.168.1.20:8765``; a rebinding attack needs a name),
  ``localhost``, this computer's own name, or a name listed in ``SIM_DASHBOARD_HOSTS``
  (comma-separated, e.g. ``SIM_DASHBOARD_HOSTS=workshop.example.org`` behind a proxy, which must
  pass the browser's ``Host`` header on); else 403;
- accepts a request or WebSocket that carries an ``Origin`` only if that origin is the page's own
  (``http(s)://`` + the request's ``Host``), so other sites' pages cannot connect; else 403 / close;
- opens at most ``SIM_DASHBOARD_MAX_SESSIONS`` kernel connections at once (default
  :data:`MAX_SESSIONS`); one more is closed with code 1013 ("try again later"), since every
  session holds its own model in memory.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import threading

# Assumption: a workshop room of up to about 15 participants with one tab each, plus reloads; each
# session holds a model (the Emscher region: tens of MB), so 30 keeps a laptop's memory safe.
MAX_SESSIONS = 30
KERNEL_PATH = "/api/kernels/"


def own_names() -> set[str]:
    names = {"localhost", "localhost.localdomain"}
    with_errors = (socket.gethostname, socket.getfqdn)
    for get in with_errors:
        try:
            name = get().lower()
        except OSError:
            continue
        names |= {name, name.split(".")[0], name.split(".")[0] + ".local"}
    extra = os.environ.get("SIM_DASHBOARD_HOSTS", "")
    names |= {h.strip().lower() for h in extra.split(",") if h.strip()}
    return names


def max_sessions() -> int:
    text = os.environ.get("SIM_DASHBOARD_MAX_SESSIONS", "")
    try:
        value = int(text) if text else MAX_SESSIONS
    except ValueError:
        value = -1
    if value < 1:
        print(f"warning: SIM_DASHBOARD_MAX_SESSIONS = {text!r} is not a whole number of at least 1; using "
              f"{MAX_SESSIONS}", file=sys.stderr, flush=True)
        value = MAX_SESSIONS
    return value


def host_name(host: str) -> str:
    """The name or address of a ``Host`` header, without the port (IPv6 in brackets kept bare)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(host: str, names: set[str]) -> bool:
    """An IP address, or one of ``names`` (a DNS-rebinding attack needs a name it controls).

    >>> host_allowed("127.0.0.1:8765", set()), host_allowed("evil.example:8765", {"localhost"})
    (True, False)
    """
    name = host_name(host)
    if not name:
        return False
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return name.rstrip(".") in names


def origin_allowed(origin: str | None, host: str) -> bool:
    """No Origin (not a browser page) or the page's own origin."""
    if origin is None:
        return True
    origin = origin.strip().lower().rstrip("/")
    return origin in (f"http://{host.strip().lower()}", f"https://{host.strip().lower()}")


class Guard:
    """ASGI middleware: Host and Origin checks for every request, a cap on open kernel WebSockets."""

    def __init__(self, app, names: set[str] | None = None, sessions: int | None = None):
        self.app = app
        self.names = own_names() if names is None else names
        self.max = max_sessions() if sessions is None else sessions
        self.open = 0
        self.lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if not host_allowed(host, self.names):
            return await self.refuse(scope, receive, send, f"host {host_name(host)!r} is not served here")
        if not origin_allowed(headers.get("origin"), host):
            return await self.refuse(scope, receive, send, "requests from other sites are not accepted")
        if scope["type"] != "websocket" or KERNEL_PATH not in scope.get("path", ""):
            return await self.app(scope, receive, send)
        with self.lock:
            full = self.open >= self.max
            if not full:
                self.open += 1
        if full:
            return await self.refuse(scope, receive, send, "too many sessions", code=1013)
        try:
            return await self.app(scope, receive, send)
        finally:
            with self.lock:
                self.open -= 1

    @staticmethod
    async def refuse(scope, receive, send, reason: str, code: int = 1008):
        if scope["type"] == "websocket":
            await receive()                                   # websocket.connect
            await send({"type": "websocket.close", "code": code, "reason": reason})
            return
        body = f"403 Forbidden: {reason}\n".encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def install() -> Guard | None:
    """Put the guard in front of the running Solara server's app (only inside the server process:
    elsewhere, e.g. when tests import the app module, nothing happens). Idempotent."""
    server = sys.modules.get("solara.server.starlette")
    app = getattr(server, "app", None)
    if app is None:
        return None
    if isinstance(getattr(app, "middleware_stack", None), Guard):
        return app.middleware_stack
    if app.middleware_stack is None:                          # not started yet: build the stack with it
        from starlette.middleware import Middleware

        if not any(m.cls is Guard for m in app.user_middleware):
            app.user_middleware.insert(0, Middleware(Guard))
        return None
    app.middleware_stack = Guard(app.middleware_stack)        # started (the app loads in the lifespan)
    return app.middleware_stack
