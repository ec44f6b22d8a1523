"""Envelope encryption: values are sealed with AES-GCM under per-record data keys, wrapped by the master key.

A sealed value is `nonce (12 bytes) || ciphertext+tag`, with the associated data binding it to
its place (`table.column.row-id`) so a value cannot be moved to another record unnoticed.
Destroying a data key (`erase`) makes everything sealed under it unreadable at once.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .keyfile import KeyMaterial


class _RandomPool:
    """Bytes from the operating system's CSPRNG (os.urandom), drawn a block at a time.

    Ids, nonces and data keys take a few bytes each, many times per imported row. Each os.urandom
    call is a system call that releases the interpreter lock, and with the import's writer thread
    running each release costs a wait to get the lock back (about 13 µs a call measured in an
    import, against 0.5 µs alone). One call per block removes nearly all of them. Bytes are handed
    out once each, under a lock; a forked child starts with an empty block, so no two processes
    ever hand out the same bytes (a repeated AES-GCM nonce would be a disaster).
    """

    BLOCK = 65536

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._block = b""
        self._at = 0

    def take(self, count: int) -> bytes:
        with self._lock:
            if self._at + count > len(self._block):
                self._block, self._at = os.urandom(max(self.BLOCK, count)), 0
            taken = self._block[self._at:self._at + count]
            self._at += count
            return taken

    def forget(self) -> None:
        self._lock = threading.Lock()  # the parent's lock may have been held at the fork
        self._block, self._at = b"", 0


_POOL = _RandomPool()
os.register_at_fork(after_in_child=_POOL.forget)


def random_bytes(count: int) -> bytes:
    """`count` bytes from the operating system's CSPRNG, for keys, nonces and ids."""
    return _POOL.take(count)


class DecryptionError(Exception):
    """A value could not be decrypted: wrong key, erased key, or tampered ciphertext."""


class Erased(DecryptionError):
    """The record's data key was destroyed: its confidential values are gone."""


class KeyRing:
    """The master keys of a data folder, and a cache of unwrapped data keys."""

    def __init__(self, material: KeyMaterial):
        self.material = material
        self._data_keys: dict[str, bytes] = {}

    # --- master key ---------------------------------------------------------------------
    @property
    def master_id(self) -> str:
        return self.material.current

    def fingerprint(self, master_id: str | None = None) -> str:
        """A public check value of a master key, stored in the database to detect the wrong key file."""
        key = self.material.masters[master_id or self.master_id]
        return hmac.new(key, b"testimonia master fingerprint", hashlib.sha256).hexdigest()[:32]

    def wrap(self, key_id: str, data_key: bytes, master_id: str | None = None) -> bytes:
        master_id = master_id or self.master_id
        nonce = random_bytes(12)
        return nonce + AESGCM(self.material.masters[master_id]).encrypt(nonce, data_key, key_id.encode())

    def unwrap(self, key_id: str, wrapped: bytes, master_id: str) -> bytes:
        master = self.material.masters.get(master_id)
        if master is None:
            raise DecryptionError(f"data key {key_id} is wrapped by a master key this key file does not hold")
        try:
            return AESGCM(master).decrypt(wrapped[:12], wrapped[12:], key_id.encode())
        except InvalidTag:
            raise DecryptionError(f"data key {key_id} does not open with this key file") from None

    # --- data keys ------------------------------------------------------------------------
    def new_data_key(self, key_id: str) -> tuple[bytes, bytes]:
        """A fresh data key and its wrapped form (to store)."""
        data_key = random_bytes(32)  # a 256-bit AES key, as AESGCM.generate_key(256) would make
        self._data_keys[key_id] = data_key
        return data_key, self.wrap(key_id, data_key)

    def remember(self, key_id: str, data_key: bytes) -> None:
        self._data_keys[key_id] = data_key

    def cached(self, key_id: str) -> bytes | None:
        return self._data_keys.get(key_id)

    def forget(self, key_id: str) -> None:
        self._data_keys.pop(key_id, None)

    # --- values ---------------------------------------------------------------------------
    @staticmethod
    def seal(data_key: bytes, plaintext: bytes, where: str) -> bytes:
        nonce = random_bytes(12)
        return nonce + AESGCM(data_key).encrypt(nonce, plaintext, where.encode())

    @staticmethod
    def open(data_key: bytes, sealed: bytes, where: str) -> bytes:
        try:
            return AESGCM(data_key).decrypt(sealed[:12], sealed[12:], where.encode())
        except InvalidTag:
            raise DecryptionError(f"{where} does not decrypt: wrong key or altered data") from None

    # --- blind index ----------------------------------------------------------------------
    def blind(self, purpose: str, value: str) -> str:
        """Keyed blind index: equal values give equal tokens; nobody without the key can test a guess."""
        return hmac.new(self.material.blind_key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def new_id(prefix: str) -> str:
    """A random, unguessable record id (80 random bits) such as `p_3f9a0c41d27e88b5a6c1`."""
    return prefix + "_" + random_bytes(10).hex()
