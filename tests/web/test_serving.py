"""`testimonia serve --workers N`: every process listens on the address itself, and stopping `serve`
stops them all."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from testimonia.services.registry import init_folder

TESTIMONIA = str(Path(sys.executable).parent / "testimonia")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> set[int]:
    return {int(c) for task in Path(f"/proc/{pid}/task").iterdir()
            for c in (task / "children").read_text().split()}


def _listening_sockets(pid: int, port: int) -> int:
    """How many listening TCP sockets on the port the process holds."""
    inodes = {line.split()[9] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
              if line.split()[1].endswith(f":{port:04X}") and line.split()[3] == "0A"}
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            held.add(target[8:-1])
    return len(inodes & held)


@pytest.fixture
def data_folder(tmp_path):
    init_folder(tmp_path / "data", None).close()
    return tmp_path / "data"


def test_each_worker_listens_itself_and_all_stop_together(data_folder):
    port = _free_port()
    errors = data_folder.parent / "serve.err"
    with errors.open("wb") as stderr:
        server = subprocess.Popen([TESTIMONIA, "--data", str(data_folder), "serve", "--port", str(port),
                                   "--workers", "2"], stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        for _ in range(150):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/sign-in")
                assert connection.getresponse().status == 200
                connection.close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(f"the server did not start: {errors.read_text()}")
        for _ in range(100):  # the second process may still be starting
            listening = {w: _listening_sockets(w, port) for w in _children(server.pid)}
            if sorted(listening.values()).count(1) == 2:
                break
            time.sleep(0.1)
        workers = {w for w, n in listening.items() if n == 1}
        assert len(workers) == 2 and set(listening.values()) <= {0, 1}  # (the other child tracks resources)
        assert _listening_sockets(server.pid, port) == 0  # the supervisor accepts nothing itself
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
    assert not any(Path(f"/proc/{w}").exists() for w in workers)


def test_an_address_in_use_is_reported(data_folder):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([TESTIMONIA, "--data", str(data_folder), "serve", "--port", str(port), "--workers", "2"],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and f"cannot listen on 127.0.0.1:{port}" in result.stderr


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_connections_are_served_without_nagles_delay(loop):
    """asyncio sets TCP_NODELAY only on sockets whose protocol is TCP; without it a page sent in two
    writes waits for the client's delayed acknowledgement (40 ms). The server runs on uvloop
    (serving.UVICORN_OPTIONS); asyncio's own loop is checked too, as a test server may use it."""
    import asyncio

    import uvloop

    from testimonia.web.serving import listening_socket

    async def nodelay_of_accepted() -> int:
        accepted: asyncio.Future = asyncio.get_running_loop().create_future()

        class Recorder(asyncio.Protocol):
            def connection_made(self, transport):
                accepted.set_result(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP,
                                                                                   socket.TCP_NODELAY))

        sock = listening_socket("127.0.0.1", 0)
        server = await asyncio.get_running_loop().create_server(Recorder, sock=sock)
        _, writer = await asyncio.open_connection(*sock.getsockname())
        try:
            return await asyncio.wait_for(accepted, 5)
        finally:
            writer.close()
            server.close()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop if loop == "uvloop" else None) as runner:
        assert runner.run(nodelay_of_accepted()) != 0


def test_a_served_application_has_its_shared_objects_loaded_and_out_of_the_collector_s_reach(tmp_path):
    import gc

    from testimonia.web.app import create_app
    from testimonia.web.serving import ready_to_serve

    registry = init_folder(tmp_path / "data")
    try:
        gc.unfreeze()
        app = ready_to_serve(create_app(registry))
        assert "gazetteer" in vars(app.state.registry)  # loaded before the first request
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        registry.close()


def test_the_server_runs_on_uvicorn_s_compiled_loop_and_http_parser(tmp_path):
    """Named in serving.UVICORN_OPTIONS, so a missing uvloop or httptools stops the server instead of
    leaving it on the slower pure-Python ones."""
    import uvicorn
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    from testimonia.web.app import create_app
    from testimonia.web.serving import UVICORN_OPTIONS

    registry = init_folder(tmp_path / "data")
    try:
        config = uvicorn.Config(create_app(registry), **UVICORN_OPTIONS)
        config.load()
        assert config.http_protocol_class is HttpToolsProtocol
        assert config.get_loop_factory().__module__.startswith("uvloop")
    finally:
        registry.close()


def _response_headers(app, counts: list[int], index: int, held: int) -> dict[bytes, bytes]:
    import asyncio

    from testimonia.web.serving import FairShare

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
    asyncio.run(FairShare(app, counts, index, lambda: held)(scope, receive, send))
    assert counts[index] == held  # this process's count, for the others to read
    return dict(sent[0]["headers"])


async def _plain_page(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def test_a_process_beyond_its_share_of_connections_closes_its_next_response_s():
    assert _response_headers(_plain_page, [0, 7], 0, held=13).get(b"connection") == b"close"  # 13 of 20
    assert _response_headers(_plain_page, [0, 9], 0, held=11).get(b"connection") == b"close"  # 11 of 20
    assert b"connection" not in _response_headers(_plain_page, [0, 10], 0, held=11)  # 11 of 21: the share, rounded up
    assert b"connection" not in _response_headers(_plain_page, [0, 13], 0, held=7)
    assert b"connection" not in _response_headers(_plain_page, [0], 0, held=20)  # one process: all is its share
    assert _response_headers(_plain_page, [0, 0, 0], 1, held=2).get(b"connection") == b"close"  # 2 of 2 over 3


def test_keep_alive_connections_spread_evenly_over_the_processes(data_folder):
    """16 keep-alive connections reach 8 per process, whatever the kernel's first split was: each is
    used again (http.client connects again after a response that closed it) until the split holds."""
    port = _free_port()
    server = subprocess.Popen([TESTIMONIA, "--data", str(data_folder), "serve", "--port", str(port),
                               "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    clients = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(16)]
    try:
        for _ in range(150):
            try:
                clients[0].request("GET", "/sign-in")
                clients[0].getresponse().read()
                break
            except OSError:
                clients[0].close()
                time.sleep(0.2)
        for _ in range(100):  # both processes listening (see the first test)
            if sorted(_listening_sockets(w, port) for w in _children(server.pid)).count(1) == 2:
                break
            time.sleep(0.1)
        for _ in range(30):
            for client in clients:
                client.request("GET", "/sign-in")
                assert client.getresponse().read()
        split = sorted(_established(w, port) for w in _children(server.pid))
        assert split[-2:] == [8, 8]
    finally:
        for client in clients:
            client.close()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


def _established(pid: int, port: int) -> int:
    """How many established TCP connections to the port the process holds."""
    inodes = {line.split()[9] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
              if line.split()[1].endswith(f":{port:04X}") and line.split()[3] == "01"}
    held = {os.readlink(fd)[8:-1] for fd in Path(f"/proc/{pid}/fd").iterdir()
            if fd.is_symlink() and os.readlink(fd).startswith("socket:[")}
    return len(inodes & held)
