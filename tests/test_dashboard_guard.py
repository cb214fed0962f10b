"""The dashboard serves only its own host names and pages and caps its sessions (issue 18, item 11):
the ASGI guard on its own, then the real server started by ``python -m sim.app``."""

import asyncio
import base64
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from sim.dashboard_guard import Guard, host_allowed, origin_allowed
from tests.helpers import stop_server

ROOT = Path(__file__).resolve().parents[1]
KERNEL = "/jupyter/api/kernels/k1/channels"


class Inner:
    """A stand-in app that accepts a WebSocket and waits until told to close it."""

    def __init__(self):
        self.calls = 0
        self.release = None

    async def __call__(self, scope, receive, send):
        self.calls += 1
        if scope["type"] == "websocket":
            await receive()
            await send({"type": "websocket.accept"})
            await self.release.wait()
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"page"})


def scope(kind, host, origin=None, path="/"):
    headers = [(b"host", host.encode())] + ([(b"origin", origin.encode())] if origin else [])
    return {"type": kind, "path": path, "headers": headers}


async def call(app, sc):
    sent = []

    async def receive():
        return {"type": "websocket.connect"} if sc["type"] == "websocket" else {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    task = asyncio.create_task(app(sc, receive, send))
    await asyncio.sleep(0.01)
    return task, sent


def first(sent):
    m = sent[0]
    return m.get("status") if m["type"] == "http.response.start" else (m["type"], m.get("code"))


def test_hosts_and_origins():
    names = {"localhost", "laptop", "laptop.local"}
    assert all(host_allowed(h, names) for h in ("127.0.0.1:8765", "[::1]:8765", "192.168.1.20:8765",
                                                 "localhost:8765", "LAPTOP.local:8765", "laptop"))
    assert not any(host_allowed(h, names) for h in ("evil.example", "evil.example:8765", "127.0.0.1.evil.example",
                                                     "", "localhost.evil.example:8765"))
    assert origin_allowed(None, "127.0.0.1:8765") and origin_allowed("http://127.0.0.1:8765", "127.0.0.1:8765")
    assert not origin_allowed("http://evil.example", "127.0.0.1:8765")
    assert not origin_allowed("http://127.0.0.1:9999", "127.0.0.1:8765")       # another local server's page
    assert not origin_allowed("null", "127.0.0.1:8765")


def test_the_guard_refuses_other_hosts_other_origins_and_too_many_sessions():
    async def scenario():
        inner = Inner()
        inner.release = asyncio.Event()
        guard = Guard(inner, names={"localhost"}, sessions=2)
        local = "127.0.0.1:8765"
        _, sent = await call(guard, scope("http", local))
        assert first(sent) == 200
        _, sent = await call(guard, scope("http", "evil.example:8765"))                # DNS rebinding
        assert first(sent) == 403 and b"evil.example" in sent[1]["body"]
        _, sent = await call(guard, scope("websocket", local, "http://evil.example", KERNEL))
        assert first(sent) == ("websocket.close", 1008)
        open_ = [await call(guard, scope("websocket", local, f"http://{local}", KERNEL)) for _ in range(2)]
        assert [first(s) for _, s in open_] == [("websocket.accept", None)] * 2
        _, sent = await call(guard, scope("websocket", local, f"http://{local}", KERNEL))
        assert first(sent) == ("websocket.close", 1013)                                  # the cap
        inner.release.set()
        await asyncio.gather(*(t for t, _ in open_))
        assert guard.open == 0
        inner.release = asyncio.Event()
        task, sent = await call(guard, scope("websocket", local, f"http://{local}", KERNEL))
        assert first(sent) == ("websocket.accept", None)                                  # room again
        inner.release.set()
        await task
        return inner.calls

    assert asyncio.run(scenario()) == 4           # refused requests never reached the app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, host, origin=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("GET", "/", skip_host=True)
    conn.putheader("Host", host)
    if origin:
        conn.putheader("Origin", origin)
    conn.endheaders()
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def websocket_status(port, origin) -> int:
    """The HTTP status of a kernel WebSocket handshake (101 = accepted)."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /jupyter/api/kernels/test-kernel/channels?session_id=s HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode())
        return int(s.recv(1024).split(b" ", 2)[1])


@pytest.mark.skipif(sys.platform != "linux", reason="starts the server as the dashboard tests do")
def test_the_running_dashboard_refuses_rebinding_and_foreign_pages():
    port = free_port()
    log = tempfile.TemporaryFile()
    env = {**os.environ, "SIM_DASHBOARD_MAX_SESSIONS": "5"}
    server = subprocess.Popen([sys.executable, "-m", "sim.app", "--port", str(port)], cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if get(port, f"127.0.0.1:{port}") == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"the dashboard did not start:\n{log.read().decode()[-2000:]}")
            time.sleep(0.5)
        assert get(port, f"localhost:{port}") == 200
        assert get(port, f"evil.example:{port}") == 403
        assert get(port, f"127.0.0.1:{port}", origin="http://evil.example") == 403
        assert websocket_status(port, "http://evil.example") == 403
        assert websocket_status(port, f"http://127.0.0.1:{port}") == 101
    finally:
        stop_server(server, log)
