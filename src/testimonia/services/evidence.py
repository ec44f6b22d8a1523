"""Evidence files: checked on arrival, encrypted at rest, and followed by a chain-of-custody log.

A file is sealed with AES-GCM under its testimony's data key when it belongs to a testimony (so
erasing the testimony erases the file too), else under a data key of its own. The ciphertext
lives at `evidence/<evidence id>`; the database holds the SHA-256 of the original bytes, their
size and media type, and the original file name sealed under the same key. Every action on a
file (added, opened, exported, published_copy) appends a custody row and an audit entry in the
same transaction as the action itself.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import secrets
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import puremagic
from PIL import Image, ImageOps
from sqlalchemy import or_, select
from sqlalchemy.engine import Connection, RowMapping

from ..domain.vocab import Consent, Sensitivity, UserRole
from ..store.audit import canonical
from ..store.crypto import DecryptionError, KeyRing, new_id
from ..store.schema import custody, data_keys, evidence, persons, testimonies, testimony_subjects, users
from .access import WRITERS, Actor
from .errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from .registry import Registry, check_master_is_current, iso_utc, utcnow
from .views import KeyCache

#: Files larger than this are refused (callers may pass another limit).
MAX_SIZE = 200 * 1024 * 1024

EDITORS = (UserRole.ADMIN, UserRole.EDITOR)
BUNDLE_FORMAT = "testimonia-evidence-bundle/1"
SUMS_NAME = "SHA256SUMS"


@dataclass(frozen=True)
class MediaType:
    label: str
    extensions: tuple[str, ...]  # the first names files in a bundle; any of them may end an original's name


#: The allow-list. Formats that share a container (MP4, QuickTime, M4A) accept each other's extensions,
#: since phones and messengers name them loosely; a name outside its family contradicts the content.
ACCEPTED: dict[str, MediaType] = {
    "image/jpeg": MediaType("a JPEG image", ("jpg", "jpeg", "jpe", "jfif")),
    "image/png": MediaType("a PNG image", ("png",)),
    "image/gif": MediaType("a GIF image", ("gif",)),
    "image/webp": MediaType("a WebP image", ("webp",)),
    "image/heic": MediaType("a HEIC image", ("heic", "heif")),
    "application/pdf": MediaType("a PDF document", ("pdf",)),
    "video/mp4": MediaType("an MP4 video", ("mp4", "m4v", "mov", "m4a")),
    "video/quicktime": MediaType("a QuickTime video", ("mov", "qt", "mp4")),
    "audio/mp4": MediaType("an M4A audio file", ("m4a", "m4b", "mp4")),
    "audio/mpeg": MediaType("an MP3 audio file", ("mp3",)),
    "audio/ogg": MediaType("an Ogg audio file", ("ogg", "oga", "opus")),
    "audio/wav": MediaType("a WAV audio file", ("wav", "wave")),
    "video/webm": MediaType("a WebM file", ("webm", "weba")),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        MediaType("a Word (DOCX) document", ("docx",)),
    "application/vnd.oasis.opendocument.text": MediaType("an OpenDocument text (ODT)", ("odt",)),
    "text/plain": MediaType("a plain UTF-8 text", ("txt", "text", "md")),
}

#: puremagic's extension for a match → our media type.
_BY_MAGIC_EXTENSION = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jpe": "image/jpeg", ".jfif": "image/jpeg",
    ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp", ".pdf": "application/pdf",
    ".mp3": "audio/mpeg", ".mpga": "audio/mpeg", ".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg",
    ".wav": "audio/wav", ".webm": "video/webm",
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VP", b"dash",
               b"mmp4", b"MSNV"}
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_ODT = "application/vnd.oasis.opendocument.text"
#: Below this puremagic confidence a match on valid UTF-8 text is a coincidence, not a format.
_WEAK_MATCH = 0.3
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError,
               ValueError, zlib.error)

#: Publication copies: the format each image type is re-encoded to (GIF becomes a still PNG).
_COPY_FORMAT = {"image/jpeg": ("JPEG", "image/jpeg"), "image/png": ("PNG", "image/png"),
                "image/gif": ("PNG", "image/png"), "image/webp": ("WEBP", "image/webp")}


class RefusedFile(InvalidInput):
    """A file refused on arrival: too large, empty, of a type not accepted, or named against its content.

    The message never holds the file's name (evidence file names are confidential); a caller that
    knows which file the user meant names it.
    """

    def __init__(self, message: str):
        super().__init__(message, "evidence file")


class TamperedEvidence(ServiceError):
    """A stored file does not decrypt, or does not match the SHA-256 recorded when it was added."""


# --- type and size ---------------------------------------------------------------------------

def detect_media_type(data: bytes) -> str:
    """The media type of `data`, judged from its content alone, if it is on the allow-list.

    puremagic names the format. Two container families share a signature it cannot tell apart,
    so they are looked into: ISO media files by their `ftyp` brands (MP4, QuickTime, M4A, HEIC)
    and ZIP files by their entries (DOCX, ODT; any other ZIP is refused). Content with no strong
    signature is plain text when it is valid UTF-8 without control characters and does not open
    like markup (HTML, XML, SVG).
    """
    if data[4:8] == b"ftyp":
        return _iso_media_type(data)
    if data.startswith(b"PK\x03\x04"):
        return _zip_media_type(data)
    try:
        matches = puremagic.magic_string(data)
    except puremagic.PureError:
        matches = []
    top = [m for m in matches if m.confidence == matches[0].confidence] if matches else []
    for match in top:
        if match.extension.lower() in _BY_MAGIC_EXTENSION:
            return _BY_MAGIC_EXTENSION[match.extension.lower()]
    if (not matches or matches[0].confidence < _WEAK_MATCH) and _is_plain_text(data):
        return "text/plain"
    described = next((m.name for m in matches if m.mime_type), matches[0].name if matches else None)
    raise _not_accepted(described.strip() if described else "not a format we recognise")


def _not_accepted(described: str) -> RefusedFile:
    return RefusedFile(f"its content is {described}, which is not accepted as evidence "
                       "(accepted: images, PDF, audio, video, DOCX/ODT documents and plain text)")


def _iso_media_type(data: bytes) -> str:
    """MP4, QuickTime, M4A or HEIC, from the major and compatible brands of the `ftyp` box."""
    box_end = min(int.from_bytes(data[:4], "big"), len(data), 256)
    major = data[8:12]
    brands = {major} | {data[i:i + 4] for i in range(16, box_end - 3, 4)}
    if major == b"qt  ":
        return "video/quicktime"
    if major in (b"M4A ", b"M4B "):
        return "audio/mp4"
    if b"avif" in brands or b"avis" in brands:
        raise _not_accepted("an AVIF image")
    if brands & _HEIF_BRANDS:
        return "image/heic"
    if brands & _MP4_BRANDS:
        return "video/mp4"
    raise _not_accepted(f"an ISO media file of brand {major.decode('latin-1')!r}")


def _zip_media_type(data: bytes) -> str:
    """DOCX or ODT, from the archive's entries; any other ZIP (or a broken one) is refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    if entry.read(64).strip() == _ODT.encode():
                        return _ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return _DOCX
    except _ZIP_ERRORS:
        raise _not_accepted("a damaged ZIP archive") from None
    raise _not_accepted("a ZIP archive (or an office format other than DOCX and ODT)")


def _is_plain_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return False
    return not text.lstrip().startswith("<") and not _CONTROL_CHARS.search(text)


def _check_name(filename: str, media_type: str) -> None:
    """Refuse a file whose name's extension belongs to another type than its content (say, an .exe named .jpg)."""
    stem, dot, extension = filename.rpartition(".")
    accepted = ACCEPTED[media_type]
    if dot and stem and extension.lower() not in accepted.extensions:
        allowed = ", ".join("." + e for e in accepted.extensions)
        raise RefusedFile(f"its name's extension contradicts its content, which is {accepted.label} "
                          f"(a name for it ends in {allowed})")


def _read_original(source: bytes | str | os.PathLike, max_size: int) -> bytes:
    """The original bytes; a file over `max_size` is refused before it is read into memory."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        with open(source, "rb") as fh:
            if os.fstat(fh.fileno()).st_size > max_size:
                raise _too_large(max_size)
            data = fh.read(max_size + 1)
    if len(data) > max_size:
        raise _too_large(max_size)
    if not data:
        raise RefusedFile("it is empty")
    return data


def _too_large(max_size: int) -> RefusedFile:
    limit = f"{max_size / 2**20:g} MiB" if max_size >= 2**20 else f"{max_size} bytes"
    return RefusedFile(f"it is larger than the limit of {limit}")


def _base_name(filename: str) -> str:
    """The name without any folders (a path would reveal more than the name)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise InvalidInput("an evidence file needs its original file name", "filename")
    return name


# --- files on disk -----------------------------------------------------------------------------

@contextmanager
def _atomic_file(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`; when the block succeeds it is made private, synced and renamed
    to `path` (so `path` holds all of it or nothing, even after a crash); when it fails it is removed."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        yield tmp
        os.chmod(tmp, 0o600)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _removed_on_failure(path: Path) -> Iterator[None]:
    """Remove `path` if the block fails, for a file written inside a transaction that may still roll back."""
    try:
        yield
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _new_output(out_path: str | os.PathLike) -> Path:
    out = Path(out_path)
    if out.exists():
        raise InvalidInput("the output file exists already: give a new path", "out")
    if not out.parent.is_dir():
        raise InvalidInput("the output file's folder does not exist", "out")
    return out


# --- keys, access, custody ---------------------------------------------------------------------

def _where(evidence_id: str) -> str:
    return f"evidence.content.{evidence_id}"


def _filename_where(evidence_id: str) -> str:
    return f"evidence.filename_enc.{evidence_id}"


def _data_key(registry: Registry, conn: Connection, key_id: str, evidence_id: str) -> bytes:
    try:
        data_key = KeyCache(registry, conn).data_key(key_id)
    except DecryptionError as exc:
        raise ServiceError(str(exc)) from None
    if data_key is None:
        raise ServiceError(f"evidence {evidence_id} was erased (its data key was destroyed): it cannot be read")
    return data_key


def _evidence_query(actor: Actor, *, include_withdrawn: bool):  # noqa: ANN202
    """Evidence rows with their testimony's recorder and consent, limited to what `actor` may know exists."""
    query = (select(evidence, testimonies.c.recorded_by, testimonies.c.consent)
             .select_from(evidence.outerjoin(testimonies, evidence.c.testimony_id == testimonies.c.id)))
    if actor.role is not UserRole.ADMIN:
        query = query.where(evidence.c.project_id.in_(sorted(actor.projects)))
    if not include_withdrawn:
        query = query.where(or_(testimonies.c.consent.is_(None), testimonies.c.consent != Consent.WITHDRAWN.value))
    return query


def _visible(conn: Connection, actor: Actor, evidence_id: str) -> RowMapping:
    """The evidence row, if `actor` may know it exists (its project; a withdrawn testimony's only for admins)."""
    query = _evidence_query(actor, include_withdrawn=actor.role is UserRole.ADMIN)
    row = conn.execute(query.where(evidence.c.id == evidence_id)).mappings().one_or_none()
    if row is None:
        raise NotFound(f"no evidence {evidence_id}")
    return row


def _require_open(actor: Actor, row: RowMapping) -> None:
    """Editors and admins open any file of their projects; a volunteer only the files of a testimony
    they recorded, or files they added themselves."""
    if actor.role in EDITORS:
        return
    own = actor.user_id in (row["recorded_by"], row["created_by"])
    if actor.role is UserRole.VOLUNTEER and own:
        return
    raise PermissionDenied("only an editor, an admin, or the volunteer who recorded its testimony "
                           "may open this evidence")


def _decrypt(registry: Registry, conn: Connection, row: RowMapping) -> bytes:
    """The original bytes, checked against the SHA-256 and size recorded when the file was added."""
    evidence_id = row["id"]
    data_key = _data_key(registry, conn, row["key_id"], evidence_id)
    try:
        sealed = (registry.evidence_dir / evidence_id).read_bytes()
    except FileNotFoundError:
        raise ServiceError(f"evidence {evidence_id}: its file is missing from the evidence store") from None
    try:
        data = KeyRing.open(data_key, sealed, _where(evidence_id))
    except DecryptionError:
        raise TamperedEvidence(f"evidence {evidence_id} failed its integrity check: the stored file was altered "
                               "or replaced (it does not decrypt)") from None
    if len(data) != row["size"] or hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise TamperedEvidence(f"evidence {evidence_id} failed its integrity check: its SHA-256 differs from the "
                               "one recorded when it was added")
    return data


def _custody(conn: Connection, actor: Actor, evidence_id: str, action: str, detail: dict | None = None) -> None:
    conn.execute(custody.insert().values(evidence_id=evidence_id, action=action, actor=actor.user_id, at=utcnow(),
                                         detail=canonical(detail) if detail else None))


def _links(row: RowMapping) -> dict[str, str]:
    """What an audit entry says the file belongs to, so reads of a testimony's files can be listed."""
    return {k: row[f"{k}_id"] for k in ("testimony", "person") if row[f"{k}_id"]}


def _usernames(conn: Connection, user_ids: set[str]) -> dict[str, str]:
    rows = conn.execute(select(users.c.id, users.c.username).where(users.c.id.in_(sorted(user_ids))))
    return {row.id: row.username for row in rows}


# --- adding ------------------------------------------------------------------------------------

def add_evidence(registry: Registry, actor: Actor, project_id: str | None, path_or_bytes: bytes | str | os.PathLike,
                 filename: str, testimony_id: str | None = None, person_id: str | None = None, *,
                 max_size: int = MAX_SIZE) -> str:
    """Receive an evidence file and return its id.

    Size and type are checked before anything is written; `project_id` None takes the project of
    the testimony or person. The ciphertext is written inside the transaction, after the rows, and
    removed again if the transaction (its commit included) fails.
    """
    actor.require_role(*WRITERS)
    name = _base_name(filename)
    data = _read_original(path_or_bytes, max_size)
    media_type = detect_media_type(data)
    _check_name(name, media_type)
    evidence_id = new_id("v")
    target = registry.evidence_dir / evidence_id
    with _removed_on_failure(target), registry.db.transaction() as conn:
        project_id = _project_of_links(conn, project_id, testimony_id, person_id)
        actor.require_write(project_id)
        key_id, data_key = _key_for_new_file(registry, conn, evidence_id, testimony_id)
        facts = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "media_type": media_type}
        conn.execute(evidence.insert().values(
            id=evidence_id, project_id=project_id, testimony_id=testimony_id, person_id=person_id, **facts,
            key_id=key_id, filename_enc=KeyRing.seal(data_key, name.encode(), _filename_where(evidence_id)),
            created_at=utcnow(), created_by=actor.user_id))
        _custody(conn, actor, evidence_id, "added", facts)
        links = {"testimony": testimony_id, "person": person_id}
        sealed_name = KeyRing.seal(data_key, name.encode(), f"audit.{evidence_id}.filename")
        registry.audit.append(conn, "evidence.add", evidence_id, {
            "project": project_id, **{k: v for k, v in links.items() if v}, **facts,
            "filename": {"sealed": base64.b64encode(sealed_name).decode()}}, actor=actor.label)
        with _atomic_file(target) as tmp:
            tmp.write_bytes(KeyRing.seal(data_key, data, _where(evidence_id)))
    return evidence_id


def _project_of_links(conn: Connection, project_id: str | None, testimony_id: str | None,
                      person_id: str | None) -> str:
    """The project the file goes into; the testimony and person it belongs to must be in it."""
    for table, record_id, kind in ((testimonies, testimony_id, "testimony"), (persons, person_id, "person")):
        if record_id is None:
            continue
        found = conn.execute(select(table.c.project_id).where(table.c.id == record_id)).scalar_one_or_none()
        project_id = project_id or found
        if found is None or found != project_id:
            raise NotFound(f"no {kind} {record_id} in that project")
    if project_id is None:
        raise InvalidInput("give the project, or the testimony or person the file belongs to", "project")
    if testimony_id is not None:
        consent = conn.execute(select(testimonies.c.consent).where(testimonies.c.id == testimony_id)).scalar_one()
        if consent == Consent.WITHDRAWN.value:
            raise InvalidInput(f"the consent of testimony {testimony_id} was withdrawn: no evidence is added to it",
                               "testimony")
    return project_id


def _key_for_new_file(registry: Registry, conn: Connection, evidence_id: str,
                      testimony_id: str | None) -> tuple[str, bytes]:
    """The testimony's data key (erasing the testimony then erases the file), else a new key of the file's own."""
    if testimony_id is not None:
        key_id = conn.execute(select(testimonies.c.key_id).where(testimonies.c.id == testimony_id)).scalar_one()
        return key_id, _data_key(registry, conn, key_id, evidence_id)
    check_master_is_current(registry, conn)
    key_id = new_id("k")
    data_key, wrapped = registry.keys.new_data_key(key_id)
    conn.execute(data_keys.insert().values(id=key_id, owner=evidence_id, wrapped=wrapped,
                                           master_id=registry.keys.master_id, created_at=utcnow()))
    return key_id, data_key


# --- reading -----------------------------------------------------------------------------------

def open_evidence(registry: Registry, actor: Actor, evidence_id: str) -> bytes:
    """The original bytes, verified against their SHA-256; logged in the custody log and the audit chain."""
    with registry.db.transaction() as conn:
        row = _visible(conn, actor, evidence_id)
        _require_open(actor, row)
        data = _decrypt(registry, conn, row)
        _custody(conn, actor, evidence_id, "opened")
        registry.audit.append(conn, "evidence.open", evidence_id, _links(row), actor=actor.label)
    return data


def list_evidence(registry: Registry, actor: Actor, *, testimony_id: str | None = None,
                  person_id: str | None = None) -> list[dict[str, Any]]:
    """The evidence `actor` may know of (of a testimony, or of a person and their testimonies): no file names."""
    with registry.db.reading() as conn:
        query = _scoped(_evidence_query(actor, include_withdrawn=actor.role is UserRole.ADMIN), testimony_id, person_id)
        rows = conn.execute(query.order_by(evidence.c.created_at, evidence.c.id)).mappings().all()
        names = _usernames(conn, {r["created_by"] for r in rows if r["created_by"]})
    return [{"id": r["id"], "sha256": r["sha256"], "size": r["size"], "media_type": r["media_type"],
             "testimony": r["testimony_id"], "person": r["person_id"], "added_at": iso_utc(r["created_at"]),
             "added_by": names.get(r["created_by"], r["created_by"])} for r in rows]


def _scoped(query, testimony_id: str | None, person_id: str | None):  # noqa: ANN001, ANN202
    if testimony_id is not None:
        query = query.where(evidence.c.testimony_id == testimony_id)
    if person_id is not None:
        about = select(testimony_subjects.c.testimony_id).where(testimony_subjects.c.person_id == person_id)
        query = query.where(or_(evidence.c.person_id == person_id, evidence.c.testimony_id.in_(about)))
    return query


def custody_log(registry: Registry, actor: Actor, evidence_id: str) -> list[dict[str, Any]]:
    """Every action on one file, oldest first: when, what, who, with its detail. For those who may open it."""
    with registry.db.reading() as conn:
        row = _visible(conn, actor, evidence_id)
        _require_open(actor, row)
        return _custody_entries(conn, [row])


def _custody_entries(conn: Connection, rows: Sequence[RowMapping]) -> list[dict[str, Any]]:
    by_id = {row["id"]: row for row in rows}
    entries = conn.execute(select(custody).where(custody.c.evidence_id.in_(sorted(by_id)))
                           .order_by(custody.c.evidence_id, custody.c.id)).mappings().all()
    names = _usernames(conn, {e["actor"] for e in entries if e["actor"]})
    return [{"evidence_id": e["evidence_id"], "sha256": by_id[e["evidence_id"]]["sha256"], "seq": e["id"],
             "at": iso_utc(e["at"]), "action": e["action"], "actor": names.get(e["actor"], e["actor"]),
             "detail": json.loads(e["detail"]) if e["detail"] else None} for e in entries]


# --- bundles -----------------------------------------------------------------------------------

def bundle(registry: Registry, actor: Actor, out_path: str | os.PathLike, evidence_ids: Sequence[str] = (), *,
           testimony_id: str | None = None, person_id: str | None = None) -> dict[str, Any]:
    """Export files for a court or a UN body as a ZIP they can verify with standard tools (see README_TEXT).

    Choose the files by id, or all of a testimony's or a person's. Files of a testimony whose
    consent was withdrawn are never exported. The custody log inside the ZIP includes this export;
    the ZIP's own SHA-256 goes into the audit entry and the result. Editors and admins only.
    """
    actor.require_role(*EDITORS)
    if sum(map(bool, (evidence_ids, testimony_id, person_id))) != 1:
        raise InvalidInput("choose the files: evidence ids, or a testimony, or a person (one of them)", "selection")
    out = _new_output(out_path)
    bundle_id = new_id("b")
    with _removed_on_failure(out), registry.db.transaction() as conn:
        rows = _bundle_rows(conn, actor, evidence_ids, testimony_id, person_id)
        for row in rows:
            _custody(conn, actor, row["id"], "exported", {"bundle": bundle_id})
        with _atomic_file(out) as tmp:
            _write_bundle(registry, conn, actor, tmp, bundle_id, rows)
        with open(out, "rb") as fh:
            zip_sha256 = hashlib.file_digest(fh, "sha256").hexdigest()
        filenames = actor.can_read(Sensitivity.CONFIDENTIAL)
        registry.audit.append_many(conn, [
            {"actor": actor.label, "action": "evidence.bundle", "entity": bundle_id,
             "change": {"evidence": [r["id"] for r in rows], "sha256": zip_sha256, "filenames": filenames}},
            *({"actor": actor.label, "action": "evidence.export", "entity": r["id"], "parent": 0,
               "change": {"bundle": bundle_id, **_links(r)}} for r in rows)])
    return {"bundle": bundle_id, "out": str(out), "sha256": zip_sha256, "files": len(rows)}


def _bundle_rows(conn: Connection, actor: Actor, evidence_ids: Sequence[str], testimony_id: str | None,
                 person_id: str | None) -> list[RowMapping]:
    if evidence_ids:
        rows = [_visible(conn, actor, evidence_id) for evidence_id in dict.fromkeys(evidence_ids)]
        for row in rows:
            if row["consent"] == Consent.WITHDRAWN.value:
                raise InvalidInput(f"evidence {row['id']} belongs to a testimony whose consent was withdrawn: "
                                   "it is not exported", "selection")
        return rows
    query = _scoped(_evidence_query(actor, include_withdrawn=False), testimony_id, person_id)
    rows = list(conn.execute(query.order_by(evidence.c.created_at, evidence.c.id)).mappings())
    if not rows:
        raise InvalidInput("there is no evidence to export for that selection", "selection")
    return rows


def _bundle_name(row: RowMapping) -> str:
    return f"files/{row['sha256']}.{ACCEPTED[row['media_type']].extensions[0]}"


def _write_bundle(registry: Registry, conn: Connection, actor: Actor, path: Path, bundle_id: str,
                  rows: Sequence[RowMapping]) -> None:
    """Write the ZIP, one original at a time (each checked against its SHA-256 on the way out)."""
    now = utcnow()
    stamp = now.timetuple()[:6]
    filenames = actor.can_read(Sensitivity.CONFIDENTIAL)
    added_by = _usernames(conn, {r["created_by"] for r in rows if r["created_by"]})
    sums: dict[str, str] = {}  # name in the ZIP → SHA-256
    manifest_files = []
    with zipfile.ZipFile(path, "w") as archive:
        def put(name: str, data: bytes, compress: int) -> None:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = compress
            archive.writestr(info, data)
            sums[name] = hashlib.sha256(data).hexdigest()

        for row in rows:
            name = _bundle_name(row)
            if name not in sums:  # the same content added twice travels once
                put(name, _decrypt(registry, conn, row), zipfile.ZIP_STORED)
            manifest_files.append(_manifest_entry(registry, conn, row, name, added_by, filenames))
        manifest = {"format": BUNDLE_FORMAT, "bundle": bundle_id, "created_at": iso_utc(now), "created_by": actor.label,
                    "hash": "SHA-256", "files": manifest_files}
        custody_lines = "".join(canonical(e) + "\n" for e in _custody_entries(conn, rows))
        put("manifest.json", (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode(), zipfile.ZIP_DEFLATED)
        put("custody.jsonl", custody_lines.encode(), zipfile.ZIP_DEFLATED)
        readme = README_TEXT.format(bundle=bundle_id, at=iso_utc(now), by=actor.label, count=len(rows), sums=SUMS_NAME)
        put("README.txt", readme.encode(), zipfile.ZIP_DEFLATED)
        archive.writestr(zipfile.ZipInfo(SUMS_NAME, date_time=stamp),
                         "".join(f"{digest}  {name}\n" for name, digest in sums.items()).encode())


def _manifest_entry(registry: Registry, conn: Connection, row: RowMapping, name: str, added_by: dict[str, str],
                    with_filename: bool) -> dict[str, Any]:
    entry = {"evidence_id": row["id"], "file": name, "sha256": row["sha256"], "size": row["size"],
             "media_type": row["media_type"], "added_at": iso_utc(row["created_at"]),
             "added_by": added_by.get(row["created_by"], row["created_by"]), **_links(row)}
    if with_filename and row["filename_enc"] is not None:
        data_key = _data_key(registry, conn, row["key_id"], row["id"])
        entry["original_filename"] = KeyRing.open(data_key, row["filename_enc"], _filename_where(row["id"])).decode()
    return entry


def verify_bundle(zip_path: str | os.PathLike) -> tuple[int, list[str]]:
    """Re-check a bundle against its SHA256SUMS: (files checked, problems). Needs no registry or key."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            if SUMS_NAME not in names:
                return 0, [f"the bundle has no {SUMS_NAME}"]
            listed = _parse_sums(archive.read(SUMS_NAME).decode("utf-8", "replace"))
            problems = [f"{name} is in the bundle but not in {SUMS_NAME}"
                        for name in names if name != SUMS_NAME and name not in listed]
            for name, digest in listed.items():
                if name not in names:
                    problems.append(f"{name} is listed in {SUMS_NAME} but missing from the bundle")
                    continue
                with archive.open(name) as fh:
                    if hashlib.file_digest(fh, "sha256").hexdigest() != digest:
                        problems.append(f"{name}: its SHA-256 does not match {SUMS_NAME}")
    except _ZIP_ERRORS:
        raise InvalidInput("not a readable ZIP file", "bundle") from None
    return len(listed), problems


def _parse_sums(text: str) -> dict[str, str]:
    """`sha256sum` lines (`<hex>  name`, or `<hex> *name` in binary mode) as {name: hex}."""
    listed = {}
    for line in text.splitlines():
        digest, _, name = line.partition(" ")
        if line.strip():
            listed[name.lstrip(" *")] = digest.lower()
    return listed


# --- publication copies ------------------------------------------------------------------------

def publication_copy(registry: Registry, actor: Actor, evidence_id: str, out_path: str | os.PathLike) -> dict[str, Any]:
    """Write a copy of an image for publication, re-encoded from its pixels alone: no EXIF (GPS, camera,
    times), XMP, ICC profile, comments or text chunks survive. Other types are refused, and so is a file
    whose testimony's consent does not allow publication. Editors and admins only."""
    actor.require_role(*EDITORS)
    out = _new_output(out_path)
    with _removed_on_failure(out), registry.db.transaction() as conn:
        row = _visible(conn, actor, evidence_id)
        if row["media_type"] not in _COPY_FORMAT:
            raise InvalidInput(f"publication copies are made of JPEG, PNG, GIF and WebP images only; evidence "
                               f"{evidence_id} is {ACCEPTED[row['media_type']].label}", "evidence")
        if row["consent"] is not None and not Consent(row["consent"]).allows_publication:
            raise InvalidInput(f"the consent of its testimony ({row['consent']}) does not allow publication",
                               "evidence")
        copy, media_type = _clean_image(_decrypt(registry, conn, row), row["media_type"])
        with _atomic_file(out) as tmp:
            tmp.write_bytes(copy)
        detail = {"sha256": hashlib.sha256(copy).hexdigest(), "size": len(copy), "media_type": media_type}
        _custody(conn, actor, evidence_id, "published_copy", detail)
        registry.audit.append(conn, "evidence.publish_copy", evidence_id, {**_links(row), "copy": detail},
                              actor=actor.label)
    return {"evidence": evidence_id, "out": str(out), **detail}


def _clean_image(data: bytes, media_type: str) -> tuple[bytes, str]:
    """Only the pixels, re-encoded. The EXIF orientation is applied first, so the copy looks as the original."""
    fmt, out_type = _COPY_FORMAT[media_type]
    try:
        with Image.open(io.BytesIO(data)) as image:
            if getattr(image, "n_frames", 1) > 1:
                raise InvalidInput("animated images get no publication copy: export a still frame and add it",
                                   "evidence")
            upright = ImageOps.exif_transpose(image)
            alpha = fmt != "JPEG" and (upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info)
            pixels = upright.convert("RGBA" if alpha else "RGB")
    except (OSError, Image.DecompressionBombError):
        raise InvalidInput("the image could not be decoded for a publication copy", "evidence") from None
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    clean.save(out, fmt, **({} if fmt == "PNG" else {"quality": 92}))
    return out.getvalue(), out_type


README_TEXT = """\
Evidence bundle {bundle}
Made with Testimonia on {at} by {by}; {count} evidence record(s).

WHAT IS INSIDE

  files/          The original files, byte for byte as they were received. Each file is named
                  by the SHA-256 hash of its content, followed by an extension for its type.
  manifest.json   One entry per evidence record: its id, the file's SHA-256, size in bytes,
                  media type, when (UTC) and by whom it was added, and the testimony or person
                  record it belongs to.
  custody.jsonl   The chain of custody: one JSON object per line, for every action taken on
                  each file (added, opened, exported, published_copy), with the time (UTC), who
                  acted, and details. The export that made this bundle is included.
  {sums}      The SHA-256 hash of every other file in this bundle, in the format of the
                  standard `sha256sum` tool.
  README.txt      This text.

HOW TO VERIFY, WITH STANDARD TOOLS ONLY

  1. Unpack the ZIP file and open a terminal in the unpacked folder.
  2. Check every file against {sums}:
       Linux:    sha256sum -c {sums}
       macOS:    shasum -a 256 -c {sums}
       Windows:  certutil -hashfile files\\<name> SHA256
                 (or in PowerShell: Get-FileHash -Algorithm SHA256 files\\<name>)
                 and compare the result with that file's line in {sums}.
     Every file must report OK (or the same hash). Any difference means the file is not the
     one that was exported.
  3. Each original's name is its own SHA-256, and manifest.json and custody.jsonl give the same
     hash for it, from the moment it was received ("added") to this export ("exported").

WHAT THIS PROVES, AND WHAT IT DOES NOT

  The hashes show that the files are unchanged since this bundle was made, and the custody log
  shows the hash recorded when each file was received. They do not by themselves prove who made
  the bundle: someone who altered a file could also rewrite {sums}. The issuing organisation
  recorded the SHA-256 of this ZIP file in its tamper-evident audit log when it made it; ask
  them to confirm that hash (sha256sum on the ZIP file itself) before relying on the bundle.
"""
