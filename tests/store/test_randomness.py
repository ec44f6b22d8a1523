"""The CSPRNG pool: bytes handed out once each, across blocks, threads and forks."""

import os
import threading

from testimonia.store import crypto
from testimonia.store.crypto import new_id, random_bytes


def test_bytes_are_never_handed_out_twice_across_blocks_and_threads():
    taken: list[bytes] = []

    def draw() -> None:
        taken.extend(random_bytes(12) for _ in range(2000))  # 24,000 bytes a thread: several blocks

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 8000 and len(set(taken)) == 8000
    assert len(random_bytes(crypto._RandomPool.BLOCK * 2)) == crypto._RandomPool.BLOCK * 2


def test_a_forked_child_does_not_repeat_the_parents_bytes():
    random_bytes(1)  # the parent holds a partly used block
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the child: draw and report, then leave at once
        os.write(write_end, random_bytes(32))
        os._exit(0)
    os.close(write_end)
    from_child = os.read(read_end, 32)
    os.waitpid(child, 0)
    assert from_child != random_bytes(32)


def test_ids_have_the_documented_shape():
    ids = {new_id("p") for _ in range(1000)}
    assert len(ids) == 1000 and all(i.startswith("p_") and len(i) == 22 for i in ids)
