"""The key file beside the database: master keys, the audit key and the blind-index key.

It is created by `init` with mode 0600 and is never written into the database, a log or an
export. It may be protected by a passphrase: then its keys are sealed with AES-GCM under a key
derived from the passphrase with argon2id. Losing both the key file and every offline copy
(`testimonia key export`) means the encrypted data is gone for good.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = "testimonia-keys/1"
ARGON2 = {"time_cost": 3, "memory_cost": 65536, "parallelism": 2}


class KeyFileError(Exception):
    """The key file is missing, unreadable, or the passphrase is wrong."""


@dataclass
class KeyMaterial:
    """Secrets of one data folder. `masters` maps a master key id to its 32 bytes; `current` is in use."""

    masters: dict[str, bytes]
    current: str
    audit_key: bytes
    blind_key: bytes
    extra: dict = field(default_factory=dict)

    @classmethod
    def generate(cls) -> KeyMaterial:
        master_id = secrets.token_hex(8)
        return cls({master_id: AESGCM.generate_key(256)}, master_id, secrets.token_bytes(32), secrets.token_bytes(32))

    def to_json(self) -> dict:
        b64 = lambda b: base64.b64encode(b).decode()
        return {
            "masters": {k: b64(v) for k, v in self.masters.items()},
            "current": self.current,
            "audit_key": b64(self.audit_key),
            "blind_key": b64(self.blind_key),
        }

    @classmethod
    def from_json(cls, data: dict) -> KeyMaterial:
        d64 = base64.b64decode
        return cls(
            {k: d64(v) for k, v in data["masters"].items()},
            data["current"],
            d64(data["audit_key"]),
            d64(data["blind_key"]),
        )


def derive_key(passphrase: str, salt: bytes, params: dict) -> bytes:
    return hash_secret_raw(passphrase.encode(), salt, hash_len=32, type=Type.ID, **params)


def seal(material: dict, passphrase: str) -> dict:
    """Seal a JSON-able dict under a passphrase (argon2id → AES-GCM)."""
    salt, nonce = os.urandom(16), os.urandom(12)
    key = derive_key(passphrase, salt, ARGON2)
    ciphertext = AESGCM(key).encrypt(nonce, json.dumps(material).encode(), FORMAT.encode())
    b64 = lambda b: base64.b64encode(b).decode()
    return {"kdf": "argon2id", "params": ARGON2, "salt": b64(salt), "nonce": b64(nonce), "sealed": b64(ciphertext)}


def unseal(envelope: dict, passphrase: str) -> dict:
    d64 = base64.b64decode
    key = derive_key(passphrase, d64(envelope["salt"]), envelope["params"])
    try:
        plain = AESGCM(key).decrypt(d64(envelope["nonce"]), d64(envelope["sealed"]), FORMAT.encode())
    except InvalidTag:
        raise KeyFileError("wrong passphrase for the key file") from None
    return json.loads(plain)


def write_key_file(path: Path, material: KeyMaterial, passphrase: str | None = None) -> None:
    """Write atomically, mode 0600 from the first byte."""
    body = {"format": FORMAT}
    body.update(seal(material.to_json(), passphrase) if passphrase else {"keys": material.to_json()})
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(body, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    os.chmod(path, 0o600)


def read_key_file(path: Path, passphrase: str | None = None) -> KeyMaterial:
    try:
        body = json.loads(path.read_text())
    except FileNotFoundError:
        raise KeyFileError(f"no key file at {path}: without it the registry cannot be opened") from None
    except (OSError, ValueError) as exc:
        raise KeyFileError(f"the key file {path} is unreadable ({exc.__class__.__name__})") from None
    if body.get("format") != FORMAT:
        raise KeyFileError(f"{path} is not a Testimonia key file")
    if "sealed" in body:
        if not passphrase:
            raise KeyFileError(f"the key file {path} is protected by a passphrase: set TESTIMONIA_PASSPHRASE or enter it")
        return KeyMaterial.from_json(unseal(body, passphrase))
    return KeyMaterial.from_json(body["keys"])


def is_sealed(path: Path) -> bool:
    return "sealed" in json.loads(path.read_text())
