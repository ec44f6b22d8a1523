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
