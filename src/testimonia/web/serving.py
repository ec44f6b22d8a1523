"""Serving the application from several processes (`testimonia serve --workers N`).

uvicorn's own `--workers` gives its processes one shared listening socket, and whichever process wakes
first accepts every connection waiting: the keep-alive connections of a reverse proxy or of a load
test all land on one process while the others idle (measured at 1,000,000 persons: one process busy,
the other idle, 71 person pages a second against 194). Here each process binds the address itself
with SO_REUSEPORT, so the kernel spreads new connections across them. Each process runs uvicorn on
the application of the data folder in TESTIMONIA_DATA. When one exits, the others are stopped and
`serve` exits with its code (a service manager restarts the whole); SIGTERM or Ctrl-C stops them all.

The kernel spreads connections at random, and a keep-alive connection stays with the process that took
it: 20 connections over two processes split 13/7 as often as 10/10, and the busier process's requests
wait nearly twice as long. A process holding more than its share of all the processes' connections
closes its next response's connection (`FairShare`), and the client's new connection lands anew.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import socket
import sys
from collections.abc import Callable, MutableSequence
from multiprocessing.connection import wait

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STOP_SECONDS = 10

#: uvicorn on its compiled event loop and HTTP parser (uvloop, httptools), named rather than left to its
#: "auto", which falls back without a word to asyncio's loop and h11, written in Python, when they are
#: missing. Under the load benchmark at 1,000,000 persons those cost 3 % more server CPU a search page, 4 %
#: a person page, 15 % the empty search form (docs/benchmarks.md).
UVICORN_OPTIONS = {"loop": "uvloop", "http": "httptools", "log_level": "warning"}


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to the address that other processes may bind too (SO_REUSEPORT).

    Its protocol is named (IPPROTO_TCP, not the default 0): asyncio turns Nagle's algorithm off only on
    connections whose socket says TCP. With it on, a page written in more than one piece waited for
    the client's delayed acknowledgement: every page but the smallest took 40 ms more."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def ready_to_serve(app: FastAPI) -> FastAPI:
    """The application with what every request shares loaded (the gazetteer), and everything alive then
    moved out of the garbage collector's reach (`gc.freeze`): otherwise each full collection walks those
    objects again. Under the search benchmark at 1,000,000 persons a process paused up to 190 ms for one,
    four or five times in 30 s, which made the search pages' p99 (230–275 ms; 140 ms frozen)."""
    app.state.registry.gazetteer  # noqa: B018 (loads it)
    gc.freeze()
    return app


class FairShare:
    """Keeps a process's connections near its share of all the serving processes' connections.

    `counts` is shared by the processes (one slot each, written by its own process on each response);
    `connections()` is this process's number of open connections. A response sent while this process
    holds more than the share (all connections over the processes, rounded up) says `Connection: close`:
    the client finishes reading it and connects again, and the kernel gives that connection to a
    process at random, so the split evens out within a few requests."""

    def __init__(self, app: ASGIApp, counts: MutableSequence[int], index: int, connections: Callable[[], int]):
        self.app, self.counts, self.index, self.connections = app, counts, index, connections

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def closing_beyond_share(message: Message) -> None:
            if message["type"] == "http.response.start":
                held = self.counts[self.index] = self.connections()
                if held > -(-sum(self.counts) // len(self.counts)):
                    message["headers"] = [*message.get("headers", ()), (b"connection", b"close")]
            await send(message)

        await self.app(scope, receive, closing_beyond_share)


def _worker(host: str, port: int, counts: MutableSequence[int], index: int) -> None:
    import uvicorn

    from .app import app_from_environment

    sock = listening_socket(host, port)
    app = FairShare(ready_to_serve(app_from_environment()), counts, index,
                    lambda: len(server.server_state.connections))
    server = uvicorn.Server(uvicorn.Config(app, **UVICORN_OPTIONS))
    server.run(sockets=[sock])


def serve_processes(host: str, port: int, workers: int) -> int:
    """Run `workers` server processes until one exits or this one is told to stop; the exit code."""
    listening_socket(host, port).close()  # a taken or invalid address is reported here, once
    context = multiprocessing.get_context("spawn")
    counts = context.Array("i", workers, lock=False)  # each process's open connections (FairShare)
    processes = [context.Process(target=_worker, args=(host, port, counts, k), name=f"testimonia-web-{k}")
                 for k in range(workers)]

    def stop(_signum: int, _frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    code = 0
    try:
        for process in processes:
            process.start()
        ended = wait([p.sentinel for p in processes])
        code = next(p.exitcode for p in processes if p.sentinel in ended) or 0
        if code:
            print(f"a server process exited with code {code}; stopping the others", file=sys.stderr)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
    return code
