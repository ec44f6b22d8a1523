"""Serving the application from several processes (`testimonia serve --workers N`).

uvicorn's own `--workers` gives its processes one shared listening socket, and whichever process wakes
first accepts every connection waiting: the keep-alive connections of a reverse proxy or of a load
test all land on one process while the others idle (measured at 1,000,000 persons: one process busy,
the other idle, 71 person pages a second against 194). Here each process binds the address itself
with SO_REUSEPORT, so the kernel spreads new connections across them. Each process runs uvicorn on
the application of the data folder in TESTIMONIA_DATA. When one exits, the others are stopped and
`serve` exits with its code (a service manager restarts the whole); SIGTERM or Ctrl-C stops them all.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import socket
import sys
from multiprocessing.connection import wait

from fastapi import FastAPI

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


def _worker(host: str, port: int) -> None:
    import uvicorn

    from .app import app_from_environment

    sock = listening_socket(host, port)
    config = uvicorn.Config(ready_to_serve(app_from_environment()), **UVICORN_OPTIONS)
    uvicorn.Server(config).run(sockets=[sock])


def serve_processes(host: str, port: int, workers: int) -> int:
    """Run `workers` server processes until one exits or this one is told to stop; the exit code."""
    listening_socket(host, port).close()  # a taken or invalid address is reported here, once
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_worker, args=(host, port), name=f"testimonia-web-{k}")
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
