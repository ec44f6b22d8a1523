"""Evidence files: type and size checks, encryption at rest, custody log, bundles, publication copies."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import struct
import subprocess
import wave
import zipfile
from contextlib import contextmanager

import pytest
from PIL import ExifTags, Image, PngImagePlugin
from sqlalchemy import func, select, update

from testimonia.services import evidence as ev
from testimonia.services.access import SYSTEM
from testimonia.services.errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from testimonia.services.inputs import NameInput, PersonInput, TestimonyInput
from testimonia.services.records import add_person, add_testimony, set_consent
from testimonia.services.users import create_project
from testimonia.services.views import person_view
from testimonia.store.schema import audit_log, custody, data_keys, evidence, testimonies

MARKER = b"KASHGAR-7f3a9c-DISTINCTIVE-EVIDENCE-BYTES"
SECRET_NAME = "Gulnar_Abdukerim_statement.txt"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 50 + b"\x80\0\0\0" + b"\0" * 64 + b"PE\0\0" + b"\0" * 100


# --- sample files, made at test time ---------------------------------------------------------------

def image(fmt: str, size=(16, 8), mode="RGB", **save) -> bytes:  # noqa: ANN001
    out = io.BytesIO()
    Image.new(mode, size, "blue").save(out, fmt, **save)
    return out.getvalue()


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhoneMaker"
    exif[ExifTags.Base.Orientation] = 6  # rotated 90°: the copy must come out upright (8×16)
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (43.0, 49.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (87.0, 36.0, 0.0)
    return exif


def jpeg_with_gps() -> bytes:
    return image("JPEG", exif=gps_exif(), comment=b"secret comment", xmp=b"<x:xmpmeta>secret xmp</x:xmpmeta>")


def png_with_metadata() -> bytes:
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "secret author")
    return image("PNG", mode="RGBA", exif=gps_exif(), pnginfo=text)


def wav_bytes() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 100)
    return out.getvalue()


def iso_media(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\0\0\0\0" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + struct.pack(">I", 16) + b"mdat" + b"\0" * 8


def zipped(entries: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return out.getvalue()


def ebml(doctype: bytes) -> bytes:
    return bytes.fromhex("1a45dfa3") + b"\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82" \
        + bytes([0x80 | len(doctype)]) + doctype + b"\0" * 40


def stored_bytes(registry) -> bytes:  # noqa: ANN001
    """Everything at rest: the evidence folder and the raw database (SQLite files, or a PostgreSQL dump)."""
    blobs = [p.read_bytes() for p in registry.evidence_dir.rglob("*") if p.is_file()]
    if registry.db.dialect == "sqlite":
        blobs += [p.read_bytes() for p in registry.folder.glob("registry.db*")]
    else:
        if not shutil.which("pg_dump"):
            pytest.skip("pg_dump is needed to read the raw PostgreSQL data")
        dump = subprocess.run(["pg_dump", "--data-only", registry.db.url], capture_output=True, check=True)
        blobs.append(dump.stdout)
    return b"".join(blobs)


def count(registry, table) -> int:  # noqa: ANN001
    with registry.db.reading() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def custody_actions(registry, evidence_id: str) -> list[str]:  # noqa: ANN001
    return [e["action"] for e in ev.custody_log(registry, SYSTEM, evidence_id)]


# --- records to attach files to ---------------------------------------------------------------------

@pytest.fixture
def person(registry, editor, project):  # noqa: ANN001, ANN201
    return add_person(registry, editor, project, PersonInput(names=[NameInput("Erkin Tursun")]))


def make_testimony(registry, actor, project, person_id, consent="internal") -> str:  # noqa: ANN001
    testimony = TestimonyInput(testifier_name="Gulnar", consent=consent)
    return add_testimony(registry, actor, project, testimony, [person_id])


# --- types ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "media_type"), [
    (image("JPEG"), "image/jpeg"),
    (image("PNG"), "image/png"),
    (image("GIF"), "image/gif"),
    (image("WEBP"), "image/webp"),
    (image("PDF"), "application/pdf"),
    (wav_bytes(), "audio/wav"),
    (b"ID3\x04\0\0\0\0\0\0" + b"\xff\xfb\x90\x00" + b"\0" * 100, "audio/mpeg"),
    (b"OggS\0\x02" + b"\0" * 20 + b"\x01\x13OpusHead" + b"\0" * 40, "audio/ogg"),
    (ebml(b"webm"), "video/webm"),
    (iso_media(b"isom", b"isom", b"mp41"), "video/mp4"),
    (iso_media(b"qt  ", b"qt  "), "video/quicktime"),
    (iso_media(b"M4A ", b"M4A ", b"mp42"), "audio/mp4"),
    (iso_media(b"heic", b"mif1", b"heic"), "image/heic"),
    (zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}), ev._DOCX),
    (zipped({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}), ev._ODT),
    ("Менің ағам 2018 жылы ұсталды.\nMy brother was taken in 2018.\n".encode(), "text/plain"),
    (b'{"a": 1}\n', "text/plain"),
])
def test_accepted_types_are_detected_from_content(data, media_type):  # noqa: ANN001
    assert ev.detect_media_type(data) == media_type


@pytest.mark.parametrize(("data", "reason"), [
    (EXE, "Windows Executable"),
    (b"\x7fELF\x02\x01\x01" + b"\0" * 100, "not accepted as evidence"),
    (b"<!DOCTYPE html><html><body>hi</body></html>", "HTML"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not accepted"),
    (zipped({"a.txt": "hi"}), "ZIP archive"),
    (ebml(b"matroska"), "Matroska"),
    (iso_media(b"avif", b"avif", b"mif1"), "AVIF"),
    (b"plain text with a \x00 NUL and \x01 control bytes", "not a format we recognise"),
])
def test_other_types_are_refused(data, reason):  # noqa: ANN001
    with pytest.raises(ev.RefusedFile, match=reason):
        ev.detect_media_type(data)


# --- adding -------------------------------------------------------------------------------------

def test_add_records_the_hash_of_the_original_and_keeps_it_encrypted(registry, editor, project, person, tmp_path):
    original = b"Statement of the family, recorded in Almaty.\n" + MARKER + b"\nEnd of statement.\n"
    source = tmp_path / "incoming" / SECRET_NAME
    source.parent.mkdir()
    source.write_bytes(original)
    evidence_id = ev.add_evidence(registry, editor, project, source, source.name, person_id=person)

    [listed] = ev.list_evidence(registry, editor, person_id=person)
    assert listed["sha256"] == hashlib.sha256(original).hexdigest()
    assert (listed["size"], listed["media_type"], listed["added_by"]) == (len(original), "text/plain", "editor")
    stored = registry.evidence_dir / evidence_id
    assert stored.exists() and stored.read_bytes() != original
    assert [p.name for p in registry.evidence_dir.iterdir()] == [evidence_id]  # no temporary file left
    at_rest = stored_bytes(registry)
    for secret in (MARKER, SECRET_NAME.encode(), b"Gulnar_Abdukerim"):
        assert secret not in at_rest and secret.hex().encode() not in at_rest
    assert custody_actions(registry, evidence_id) == ["added"]


def test_a_file_of_a_testimony_is_sealed_under_the_testimony_key(registry, editor, project, person):
    testimony_id = make_testimony(registry, editor, project, person)
    with_testimony = ev.add_evidence(registry, editor, None, image("PNG"), "a.png", testimony_id)
    on_its_own = ev.add_evidence(registry, editor, None, image("PNG"), "b.png", person_id=person)
    with registry.db.reading() as conn:
        keys = dict(conn.execute(select(evidence.c.id, evidence.c.key_id)).all())
        testimony_key = conn.execute(select(testimonies.c.key_id).where(testimonies.c.id == testimony_id)).scalar_one()
        own_key_owner = conn.execute(select(data_keys.c.owner).where(data_keys.c.id == keys[on_its_own])).scalar_one()
    assert keys[with_testimony] == testimony_key
    assert own_key_owner == on_its_own

    # erasing the testimony (destroying its data key) erases the file with it
    with registry.db.transaction() as conn:
        conn.execute(update(data_keys).where(data_keys.c.id == testimony_key).values(wrapped=None))
    registry.keys.forget(testimony_key)
    with pytest.raises(ServiceError, match="erased"):
        ev.open_evidence(registry, editor, with_testimony)
    assert ev.open_evidence(registry, editor, on_its_own) == image("PNG")


REFUSED = [
    ("renamed executable", EXE, "holiday.jpg", "Windows Executable"),
    ("HTML named as PDF", b"<!DOCTYPE html><html><script>x()</script></html>", "report.pdf", "HTML"),
    ("JPEG named as PDF", image("JPEG"), "report.pdf", "contradicts its content"),
    ("plain ZIP named as DOCX", zipped({"a.txt": "hi"}), "letter.docx", "ZIP archive"),
    ("empty", b"", "notes.txt", "empty"),
    ("oversize", b"a" * 2048, "notes.txt", "larger than the limit of 1024 bytes"),
]


@pytest.mark.parametrize(("data", "filename", "reason"), [case[1:] for case in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_files_leave_nothing_behind(registry, editor, project, person, data, filename, reason):  # noqa: ANN001
    keys_before = count(registry, data_keys)
    with pytest.raises(ev.RefusedFile, match=reason) as refused:
        ev.add_evidence(registry, editor, project, data, filename, person_id=person, max_size=1024)
    assert filename.split(".")[0] not in str(refused.value)  # file names are confidential
    assert count(registry, evidence) == count(registry, custody) == 0
    assert count(registry, data_keys) == keys_before
    assert list(registry.evidence_dir.iterdir()) == []


def test_a_failed_transaction_removes_the_written_file(registry, editor, project, person, monkeypatch):
    real = registry.db.transaction

    @contextmanager
    def commit_fails():  # noqa: ANN202
        with real() as conn:
            yield conn
            raise RuntimeError("the database went away at commit")

    monkeypatch.setattr(registry.db, "transaction", commit_fails)
    with pytest.raises(RuntimeError, match="went away"):
        ev.add_evidence(registry, editor, project, image("PNG"), "a.png", person_id=person)
    monkeypatch.undo()
    assert list(registry.evidence_dir.iterdir()) == []
    assert count(registry, evidence) == count(registry, custody) == 0


def test_links_must_be_in_the_project(registry, editor, project, person, admin):
    other = create_project(registry, SYSTEM, "case group B")
    with pytest.raises(NotFound, match="person"):
        ev.add_evidence(registry, admin, other, image("PNG"), "a.png", person_id=person)


# --- opening ------------------------------------------------------------------------------------

def test_open_returns_the_original_and_logs_custody(registry, editor, project, person):
    original = jpeg_with_gps()
    evidence_id = ev.add_evidence(registry, editor, project, original, "photo.jpg", person_id=person)
    assert ev.open_evidence(registry, editor, evidence_id) == original
    log = ev.custody_log(registry, editor, evidence_id)
    assert [(e["action"], e["actor"]) for e in log] == [("added", "editor"), ("opened", "editor")]
    assert log[0]["detail"]["sha256"] == hashlib.sha256(original).hexdigest()
    with registry.db.reading() as conn:
        actions = conn.execute(select(audit_log.c.action).where(audit_log.c.entity == evidence_id)
                               .order_by(audit_log.c.seq)).scalars().all()
        assert actions == ["evidence.add", "evidence.open"]
        assert registry.audit.verify(conn) == []


def test_a_tampered_file_is_a_clear_error(registry, editor, project, person):
    testimony_id = make_testimony(registry, editor, project, person)
    first = ev.add_evidence(registry, editor, project, image("PNG"), "a.png", testimony_id)
    second = ev.add_evidence(registry, editor, project, image("GIF"), "b.gif", testimony_id)
    stored = registry.evidence_dir / first
    blob = bytearray(stored.read_bytes())
    blob[40] ^= 0x01
    stored.write_bytes(bytes(blob))
    with pytest.raises(ev.TamperedEvidence, match=f"evidence {first} failed its integrity check"):
        ev.open_evidence(registry, editor, first)

    # another file under the same key, moved into this record's place, does not open either
    shutil.copyfile(registry.evidence_dir / second, stored)
    with pytest.raises(ev.TamperedEvidence, match="altered or replaced"):
        ev.open_evidence(registry, editor, first)

    # a hash changed in the database does not match the file
    with registry.db.transaction() as conn:
        conn.execute(update(evidence).where(evidence.c.id == second).values(sha256="0" * 64))
    with pytest.raises(ev.TamperedEvidence, match="SHA-256 differs"):
        ev.open_evidence(registry, editor, second)
    assert custody_actions(registry, first) == ["added"]  # failed opens log nothing


def test_who_may_open(registry, project, make_user, person):
    recorder = make_user("volunteer", "recorder")
    stranger = make_user("volunteer", "stranger")
    researcher = make_user("researcher")
    outsider = make_user("editor", projects=[create_project(registry, SYSTEM, "case group B")])
    testimony_id = make_testimony(registry, recorder, project, person)
    evidence_id = ev.add_evidence(registry, recorder, project, b"what she said\n", "notes.txt", testimony_id)

    assert ev.open_evidence(registry, recorder, evidence_id) == b"what she said\n"
    for actor in (stranger, researcher):
        with pytest.raises(PermissionDenied):
            ev.open_evidence(registry, actor, evidence_id)
        with pytest.raises(PermissionDenied):
            ev.custody_log(registry, actor, evidence_id)
    with pytest.raises(NotFound):
        ev.open_evidence(registry, outsider, evidence_id)
    assert ev.list_evidence(registry, outsider) == []
    with pytest.raises(PermissionDenied):
        ev.add_evidence(registry, researcher, project, b"text\n", "notes.txt", person_id=person)


def test_a_withdrawn_testimony_hides_its_files(registry, editor, admin, project, person, tmp_path):
    testimony_id = make_testimony(registry, editor, project, person)
    evidence_id = ev.add_evidence(registry, editor, project, b"statement\n", "s.txt", testimony_id)
    set_consent(registry, editor, testimony_id, "withdrawn")
    with pytest.raises(NotFound):
        ev.open_evidence(registry, editor, evidence_id)
    assert ev.list_evidence(registry, editor, person_id=person) == []
    assert person_view(registry, editor, person)["evidence"] == []  # the person page lists the same
    assert [f["id"] for f in person_view(registry, admin, person)["evidence"]] == [evidence_id]
    assert ev.open_evidence(registry, admin, evidence_id) == b"statement\n"
    with pytest.raises(InvalidInput, match="withdrawn"):
        ev.bundle(registry, admin, tmp_path / "b.zip", [evidence_id])
    with pytest.raises(InvalidInput, match="no evidence to export"):
        ev.bundle(registry, admin, tmp_path / "b.zip", person_id=person)
    with pytest.raises(InvalidInput, match="withdrawn"):
        ev.add_evidence(registry, editor, project, b"more\n", "m.txt", testimony_id)
    assert not (tmp_path / "b.zip").exists()


# --- bundles ------------------------------------------------------------------------------------

def test_a_bundle_verifies_with_standard_tools(registry, editor, project, person, tmp_path):
    testimony_id = make_testimony(registry, editor, project, person)
    photo = jpeg_with_gps()
    statement = b"Statement.\n" + MARKER + b"\n"
    photo_id = ev.add_evidence(registry, editor, project, photo, "IMG_0042.jpg", testimony_id)
    text_id = ev.add_evidence(registry, editor, project, statement, SECRET_NAME, person_id=person)
    ev.open_evidence(registry, editor, photo_id)

    out = tmp_path / "bundle.zip"
    result = ev.bundle(registry, editor, out, person_id=person)
    assert result["files"] == 2
    assert result["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()

    with zipfile.ZipFile(out) as archive:
        sums = dict(reversed(line.split("  ", 1)) for line in archive.read("SHA256SUMS").decode().splitlines())
        assert set(sums) == set(archive.namelist()) - {"SHA256SUMS"}
        for name, digest in sums.items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest
        assert archive.read(f"files/{hashlib.sha256(photo).hexdigest()}.jpg") == photo
        assert archive.read(f"files/{hashlib.sha256(statement).hexdigest()}.txt") == statement
        manifest = json.loads(archive.read("manifest.json"))
        entries = [json.loads(line) for line in archive.read("custody.jsonl").decode().splitlines()]
        assert "sha256sum -c SHA256SUMS" in archive.read("README.txt").decode()

    by_id = {f["evidence_id"]: f for f in manifest["files"]}
    assert by_id[text_id]["original_filename"] == SECRET_NAME
    assert by_id[photo_id].items() >= {
        "sha256": hashlib.sha256(photo).hexdigest(), "size": len(photo), "media_type": "image/jpeg",
        "added_by": "editor", "testimony": testimony_id, "original_filename": "IMG_0042.jpg"}.items()
    actions = {(e["evidence_id"], e["action"]) for e in entries}
    assert actions == {(photo_id, "added"), (photo_id, "opened"), (photo_id, "exported"),
                       (text_id, "added"), (text_id, "exported")}
    exported = [e for e in entries if e["action"] == "exported"]
    assert all(e["detail"] == {"bundle": result["bundle"]} and e["actor"] == "editor" for e in exported)
    assert custody_actions(registry, text_id) == ["added", "exported"]
    assert ev.verify_bundle(out) == (len(sums), [])

    if shutil.which("sha256sum"):
        unpacked = tmp_path / "unpacked"
        with zipfile.ZipFile(out) as archive:
            archive.extractall(unpacked)
        check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=unpacked, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_verify_names_an_altered_file(registry, editor, project, person, tmp_path):
    ev.add_evidence(registry, editor, project, image("PNG"), "a.png", person_id=person)
    out, altered = tmp_path / "b.zip", tmp_path / "altered.zip"
    ev.bundle(registry, editor, out, person_id=person)
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(altered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data.replace(b"editor", b"forger") if item.filename == "manifest.json" else data)
        target.writestr("extra.txt", "smuggled in")
    checked, problems = ev.verify_bundle(altered)
    assert problems == ["extra.txt is in the bundle but not in SHA256SUMS",
                        "manifest.json: its SHA-256 does not match SHA256SUMS"]


def test_only_editors_bundle_and_an_existing_file_is_not_overwritten(registry, editor, project, make_user, person,
                                                                     tmp_path):
    evidence_id = ev.add_evidence(registry, editor, project, image("PNG"), "a.png", person_id=person)
    with pytest.raises(PermissionDenied):
        ev.bundle(registry, make_user("volunteer"), tmp_path / "b.zip", [evidence_id])
    existing = tmp_path / "existing.zip"
    existing.write_bytes(b"keep me")
    with pytest.raises(InvalidInput, match="exists already"):
        ev.bundle(registry, editor, existing, [evidence_id])
    assert existing.read_bytes() == b"keep me"
    assert custody_actions(registry, evidence_id) == ["added"]


# --- publication copies -------------------------------------------------------------------------

def test_a_publication_copy_has_no_gps_or_other_metadata(registry, editor, project, person, tmp_path):
    testimony_id = make_testimony(registry, editor, project, person, consent="named")
    photo = jpeg_with_gps()
    with Image.open(io.BytesIO(photo)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the original does carry GPS
    photo_id = ev.add_evidence(registry, editor, project, photo, "photo.jpg", testimony_id)
    png_id = ev.add_evidence(registry, editor, project, png_with_metadata(), "scan.png", person_id=person)

    result = ev.publication_copy(registry, editor, photo_id, tmp_path / "copy.jpg")
    copy = (tmp_path / "copy.jpg").read_bytes()
    assert result["sha256"] == hashlib.sha256(copy).hexdigest()
    for secret in (b"TestPhoneMaker", b"secret comment", b"secret xmp", b"Exif"):
        assert secret not in copy
    with Image.open(tmp_path / "copy.jpg") as published:
        assert len(published.getexif()) == 0 and not published.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert not {"exif", "xmp", "comment", "icc_profile"} & set(published.info)
        assert published.size == (8, 16)  # turned upright before the orientation tag was dropped

    ev.publication_copy(registry, editor, png_id, tmp_path / "copy.png")
    with Image.open(tmp_path / "copy.png") as published:
        assert len(published.getexif()) == 0 and "Author" not in published.info and published.mode == "RGBA"
    assert custody_actions(registry, photo_id) == ["added", "published_copy"]


def test_publication_copies_are_refused_for_other_types_and_without_consent(registry, editor, project, person,
                                                                            make_user, tmp_path):
    text_id = ev.add_evidence(registry, editor, project, b"statement\n", "s.txt", person_id=person)
    with pytest.raises(InvalidInput, match="images only; evidence .* is a plain UTF-8 text"):
        ev.publication_copy(registry, editor, text_id, tmp_path / "copy.txt")
    internal = make_testimony(registry, editor, project, person, consent="internal")
    photo_id = ev.add_evidence(registry, editor, project, jpeg_with_gps(), "p.jpg", internal)
    with pytest.raises(InvalidInput, match="consent"):
        ev.publication_copy(registry, editor, photo_id, tmp_path / "copy.jpg")
    with pytest.raises(PermissionDenied):
        ev.publication_copy(registry, make_user("volunteer"), photo_id, tmp_path / "copy.jpg")
    assert not (tmp_path / "copy.jpg").exists() and not (tmp_path / "copy.txt").exists()
    assert custody_actions(registry, photo_id) == ["added"]


def test_an_oversize_file_is_refused_before_it_is_read(registry, editor, project, person, tmp_path):
    big = tmp_path / "recording.txt"
    big.write_bytes(b"a" * 4096)
    with pytest.raises(ev.RefusedFile, match="larger than the limit of 1024 bytes"):
        ev.add_evidence(registry, editor, project, big, big.name, person_id=person, max_size=1024)
    assert count(registry, evidence) == 0 and list(registry.evidence_dir.iterdir()) == []
