"""`testimonia import`: testimonies about persons from a CSV or JSON Lines file (docs/import-export.md).

One row is one testimony about one person. The file is read once: each row is checked and, while
no row has failed (or when the caller skips invalid rows), written through the Writer in chunks —
all inside ONE transaction, so a process killed half-way leaves nothing visible and a file with
an error writes nothing. The import leaves one audit entry (the file name) with the Writer's
entries for each record under it, closed by a summary entry (a keyed fingerprint of the file and
the counts — never contents).

Reading is bounded: a line is read at most MAX_LINE bytes at a time (a longer line is refused and
skipped without being held in memory) and a CSV field holds at most MAX_FIELD characters.
Errors name the file, the line and the field, never a confidential value.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterator

from sqlalchemy import func, select

from ..store.bulk_load import deferred_indexes
from ..store.schema import facilities, persons
from .access import Actor
from .errors import InvalidInput, ServiceError
from .inputs import (
    EventInput,
    NameInput,
    PersonInput,
    SourceInput,
    TestimonyInput,
    check_event,
    check_person,
    check_source,
    check_testimony,
    clean_text,
)
from .registry import Registry
from .writer import Writer

MiB = 1024 * 1024
MAX_LINE = 5 * MiB  # bytes in one physical line
MAX_FIELD = MiB  # characters in one CSV field
MAX_ERRORS = 200  # errors kept in the report (all go to the rejected file)
CHUNK = 2000  # rows per Writer flush
READ_BUFFER = 4 * 1024 * 1024  # bytes read from the file at a time
# A file this large that at least doubles the registry is loaded with its indexes set aside and
# rebuilt at the end (store/bulk_load.py): about one person a kilobyte of CSV or JSON Lines.
BULK_MIN_BYTES = 8 * 1024 * 1024
BYTES_PER_PERSON = 1000
BULK_TABLES = ("persons", "names", "name_keys", "testimonies", "testimony_subjects", "events", "relations",
               "sources", "search_documents", "audit_log")
BOM = b"\xef\xbb\xbf"

#: The documented schema: each section of a row and its fields, in column order.
PERSON_FIELDS = ("names", "sex", "ethnicity", "birth_date", "age", "age_at", "hometown", "occupation",
                 "citizenships", "resident_id", "health", "current_location", "notes")
TESTIFIER_FIELDS = ("name", "relation", "contacts", "consent")
TESTIMONY_FIELDS = ("medium", "date", "summary", "detention_reason", "notes")
SOURCE_FIELDS = ("kind", "title", "date", "language", "publisher", "url")
EVENT_FIELDS = ("type", "date", "place", "facility")
NAME_FIELDS = ("text", "script", "language", "part")
SECTIONS = {"person": PERSON_FIELDS, "testifier": TESTIFIER_FIELDS, "testimony": TESTIMONY_FIELDS,
            "source": SOURCE_FIELDS}
#: Keys an export writes for readers and the import ignores, by where they appear.
EXPORT_ONLY = {"row": ("ids", "status", "relations", "error"), "person": ("hometown_name",),
               "event": ("id", "place_name", "facility_name"), "testimony_item": ("ids",)}
CSV_COLUMNS = tuple(f"{section}.{name}" for section in ("person", "testifier", "testimony")
                    for name in SECTIONS[section]) + ("events",) + tuple(f"source.{n}" for n in SOURCE_FIELDS)
CSV_EXPORT_ONLY = ("ids.person", "ids.testimony", "status", "person.hometown_name", "error")
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}

# Where the validators name a field, and where the same field is in a row.
_TESTIMONY_WHERE = {"testimony.consent": "testifier.consent", "testimony.relation": "testifier.relation",
                    "testimony.recorded_on": "testimony.date"}


@dataclass(frozen=True)
class RowError:
    """One problem in one row: `people.csv:17: person.birth_date: '2018-13' is not an EDTF date…`."""

    file: str
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: " + (f"{self.field}: " if self.field else "") + self.message


@dataclass
class ImportReport:
    file: str
    rows_read: int = 0
    persons_written: int = 0
    rejected: int = 0  # rows with at least one error
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS
    error_count: int = 0
    audit_seq: int | None = None  # the import's audit entry; None when nothing was written


@dataclass
class Record:
    """A checked row. A testimony's source is None when it is the row's own source."""

    person: PersonInput
    events: list[EventInput]
    source: SourceInput
    testimonies: list[tuple[TestimonyInput, SourceInput | None]]


Progress = Callable[[str, int, int], None]  # (stage "import", bytes read, file size)


# --- the cell formats of the flat CSV shape -------------------------------------------------
def split_escaped(text: str, sep: str) -> list[str]:
    """Split on `sep` not preceded by a backslash; the pieces keep their escapes."""
    if "\\" not in text:
        return text.split(sep)
    pieces, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current += ["\\", ch]
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == sep:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current) + ("\\" if escaped else ""))
    return pieces


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S) if "\\" in text else text


def escape(text: str, specials: str = "\\;|[]") -> str:
    return "".join("\\" + ch if ch in specials else ch for ch in text)


_NAME_META = re.compile(r"(?<!\\)\[([\w ,\-]*)\]\s*$")


def parse_names_cell(cell: str) -> list[dict]:
    """`Aygul Tursun [Latn]; Айгүл Тұрсын [Cyrl, kk]; Tursun [Latn, , surname]` → name objects."""
    out = []
    for piece in (p for p in split_escaped(cell, ";") if p.strip()):
        meta = _NAME_META.search(piece)
        item = {"text": unescape(piece[: meta.start()] if meta else piece).strip()}
        if meta:
            values = [v.strip() or None for v in meta.group(1).split(",")]
            if len(values) > 3:
                raise InvalidInput("a name is `text [Script, language, part]`", f"person.names[{len(out)}]")
            item.update({k: v for k, v in zip(("script", "language", "part"), values) if v})
        out.append(item)
    return out


def format_names_cell(names: list[dict]) -> str:
    parts = []
    for n in names:
        meta = [n.get("script") or "", n.get("language") or "", "" if n.get("part") in (None, "full") else n["part"]]
        while meta and not meta[-1]:
            meta.pop()
        parts.append(escape(n["text"]) + (f" [{', '.join(meta)}]" if meta else ""))
    return "; ".join(parts)


def parse_events_cell(cell: str) -> list[dict]:
    """`detained|2018-01|Nilka|BFN:109; sent_to_camp|2018-03` → event objects."""
    out = []
    for piece in (p for p in split_escaped(cell, ";") if p.strip()):
        values = [unescape(v).strip() or None for v in split_escaped(piece, "|")]
        if len(values) > len(EVENT_FIELDS):
            raise InvalidInput("an event is `type|date|place|facility`", f"events[{len(out)}]")
        out.append({k: v for k, v in zip(EVENT_FIELDS, values) if v})
    return out


def format_events_cell(events: list[dict]) -> str:
    parts = []
    for e in events:
        values = [escape(str(e.get(k) or "")) for k in EVENT_FIELDS]
        while values and not values[-1]:
            values.pop()
        parts.append("|".join(values))
    return "; ".join(parts)


def nest_csv_row(header: list[str], cells: list[str]) -> dict:
    """A CSV row in the JSON Lines shape (`person.sex` → {"person": {"sex": …}})."""
    data: dict[str, Any] = {}
    for column, cell in zip(header, cells):
        value = cell.strip()
        if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@"):  # defused by the CSV export
            value = value[1:]
        if not value or column in CSV_EXPORT_ONLY:
            continue
        if column == "events":
            data["events"] = parse_events_cell(value)
            continue
        section, _, name = column.partition(".")
        if name == "names":
            value = parse_names_cell(value)
        elif name == "citizenships":
            value = [c.strip() for c in value.split(";") if c.strip()]
        data.setdefault(section, {})[name] = value
    return data


# --- reading ----------------------------------------------------------------------------------
@dataclass
class _Item:
    line: int
    data: dict | None  # the row in the JSON Lines shape; None when it could not be read
    raw: Any  # what to write back to a rejected file: the CSV cells or the JSON value/text
    problems: list[tuple[str | None, str]]


class _Lines:
    """Physical lines of a binary file, decoded as UTF-8, bounded in length, hashed as they are read."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream
        self.line = 0
        self.offset = 0
        self.sha256 = hashlib.sha256()
        self.problems: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def _read(self, limit: int) -> bytes:
        raw = self.stream.readline(limit)
        self.sha256.update(raw)
        self.offset += len(raw)
        return raw

    def __next__(self) -> str:
        start = self.offset
        raw = self._read(MAX_LINE + 1)
        if not raw:
            raise StopIteration
        self.line += 1
        if self.line == 1:
            if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise InvalidInput("the file is UTF-16: save it as UTF-8", "line 1")
            raw = raw.removeprefix(BOM)
        if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
            while (rest := self._read(MiB)) and not rest.endswith(b"\n"):
                pass
            self.problems.append((self.line, f"the line is longer than {MAX_LINE // MiB} MiB: refused"))
            return "\n"
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problems.append((self.line, f"not UTF-8 (byte offset {start + exc.start} in the file): "
                                             "save the file as UTF-8"))
            return raw.decode("utf-8", errors="replace")

    def take_problems(self) -> list[tuple[str | None, str]]:
        taken = [(f"line {line}" if line != self.line else None, message) for line, message in self.problems]
        self.problems = []
        return taken


@contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


class Reader:
    """The rows of one file, each with its line number, its data and the problems met reading it."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        self.format = FORMATS.get(path.suffix.lower())
        if self.format is None:
            raise InvalidInput(f"unknown file type {path.suffix!r}: give a .csv, .jsonl or .ndjson file", self.name)
        self.size = path.stat().st_size
        self.header: list[str] = []
        self.lines: _Lines | None = None

    @property
    def offset(self) -> int:
        return self.lines.offset if self.lines else 0

    @property
    def sha256(self) -> str:
        return self.lines.sha256.hexdigest() if self.lines else ""

    def __iter__(self) -> Iterator[_Item]:
        try:
            # A large buffer: each refill is a read that releases the interpreter lock to the writer
            # thread, and waiting to get it back cost more than the reading itself with 8 KiB refills.
            with self.path.open("rb", buffering=READ_BUFFER) as stream:
                self.lines = _Lines(stream)
                yield from (self._csv_items() if self.format == "csv" else self._jsonl_items())
        except InvalidInput as exc:
            raise InvalidInput(exc.reason, f"{self.name}:{(exc.where or '').removeprefix('line ')}") from None

    def _csv_items(self) -> Iterator[_Item]:
        with _csv_field_limit(MAX_FIELD):
            reader = csv.reader(self.lines, strict=True)
            self.header = self._csv_header(reader)
            while True:
                line = self.lines.line + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield _Item(line, None, [], self.lines.take_problems() + [(None, f"malformed CSV: {exc}")])
                    continue
                problems = self.lines.take_problems()
                if problems:
                    yield _Item(line, None, cells, problems)
                elif any(c.strip() for c in cells):
                    yield self._csv_item(line, cells)

    def _csv_header(self, reader) -> list[str]:  # noqa: ANN001
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            return []
        except csv.Error as exc:
            raise InvalidInput(f"malformed CSV header: {exc}", "line 1") from None
        if self.lines.problems:
            line, message = self.lines.problems[0]
            raise InvalidInput(message, f"line {line}")
        known = set(CSV_COLUMNS) | set(CSV_EXPORT_ONLY)
        for column in header:
            if column not in known:
                raise InvalidInput(f"unknown column {column[:60]!r} (the columns are listed in "
                                   "docs/import-export.md)", "line 1")
            if header.count(column) > 1:
                raise InvalidInput(f"the column {column!r} appears twice", "line 1")
        return header

    def _csv_item(self, line: int, cells: list[str]) -> _Item:
        if len(cells) > len(self.header):
            return _Item(line, None, cells, [(None, f"the row has {len(cells)} cells but the header "
                                                    f"{len(self.header)}")])
        try:
            return _Item(line, nest_csv_row(self.header, cells), cells, [])
        except InvalidInput as exc:
            return _Item(line, None, cells, [(exc.where, exc.reason)])

    def _jsonl_items(self) -> Iterator[_Item]:
        for text in self.lines:
            line = self.lines.line
            problems = self.lines.take_problems()
            if problems:
                yield _Item(line, None, None, problems)
            elif text.strip():
                yield _json_item(line, text)


def _json_item(line: int, text: str) -> _Item:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return _Item(line, None, text, [(None, f"malformed JSON: {exc.msg} (column {exc.colno})")])
    except (ValueError, RecursionError):  # a number of over 4,300 digits; nesting deeper than Python's stack
        return _Item(line, None, text, [(None, "malformed JSON: a number too long or nesting too deep")])
    if not isinstance(data, dict):
        return _Item(line, None, text, [(None, "a line holds one JSON object")])
    return _Item(line, data, data, [])


# --- checking ---------------------------------------------------------------------------------
class Checker:
    """Turns a row (JSON Lines shape) into a Record, collecting every error with the field it names."""

    def __init__(self, registry: Registry, facility_refs: set[str]):
        self.gazetteer = registry.gazetteer
        self.facility_refs = facility_refs

    def check(self, data: dict) -> tuple[Record | None, list[tuple[str | None, str]]]:
        errors: list[tuple[str | None, str]] = []
        _check_shape(data, errors)
        if errors:
            return None, errors
        parts = _testimony_parts(data)
        row_source = data.get("source")
        if not row_source and "testimonies" in data and parts:  # names and events: the first testimony's source
            row_source, parts[0] = parts[0][3], (*parts[0][:3], None)
        person = self._person(data.get("person") or {}, parts, errors)
        events = [self._event(i, e, errors) for i, e in enumerate(data.get("events") or [])]
        first_date = parts[0][2].get("date") if parts else None
        source = _run(errors, "", check_source, _source_input(row_source or {}, first_date))
        testimonies = [self._testimony(part, person_data=data.get("person") or {}, first=(i == 0), errors=errors)
                       for i, part in enumerate(parts)]
        if errors:
            secrets = _confidential_values(data)
            return None, [(where, _redact(message, secrets)) for where, message in errors]
        return Record(person, events, source, testimonies), []

    def _person(self, p: dict, parts: list, errors: list) -> PersonInput | None:
        if not p:
            errors.append(("person", "the row says nothing about the person"))
            return None
        notes = p.get("notes")
        if not parts and p.get("current_location"):  # no testimony to carry it: the person's notes
            notes = _join_lines(notes, "Current location", _text(errors, p, "current_location", "person."))
        names = [NameInput(n) if isinstance(n, str) else NameInput(n.get("text"), n.get("script"), n.get("language"),
                                                                      n.get("part") or "full")
                 for n in p.get("names") or []]
        raw = PersonInput(names, p.get("sex"), p.get("ethnicity"), p.get("birth_date"), p.get("age"), p.get("age_at"),
                          p.get("hometown"), p.get("occupation"), _list(p.get("citizenships")), p.get("health"),
                          p.get("resident_id"), notes)
        return _run(errors, "person.", check_person, raw, self.gazetteer)

    def _event(self, index: int, e: dict, errors: list) -> EventInput | None:
        where = f"events[{index}]"
        raw = EventInput(e.get("type"), e.get("date"), e.get("place"), e.get("facility"), source_order=index)
        event = _run(errors, "", check_event, raw, self.gazetteer, where)
        if event and event.facility and event.facility.startswith(("f_", "BFN:", "bfn:")) \
                and _facility_key(event.facility) not in self.facility_refs:
            errors.append((f"{where}.facility", f"unknown facility {event.facility[:60]!r} "
                                                 "(give a facility id, BFN:<number> or its exact name)"))
        return event

    def _testimony(self, part: tuple, person_data: dict, first: bool, errors: list) -> tuple:
        prefix, testifier, testimony, source = part
        summary = _join_lines(testimony.get("summary"), "Detention reason",
                              _text(errors, testimony, "detention_reason", prefix + "testimony."))
        if first:
            summary = _join_lines(summary, "Current location",
                                  _text(errors, person_data, "current_location", "person."))
        raw = TestimonyInput(testifier.get("name"), testifier.get("relation"), testimony.get("medium"),
                             testifier.get("consent"), testimony.get("date"), testifier.get("contacts"),
                             summary, testimony.get("notes"))
        checked = _run(errors, prefix, check_testimony, raw, renames=_TESTIMONY_WHERE)
        own_source = None
        if source is not None:
            own_source = _run(errors, prefix, check_source, _source_input(source, testimony.get("date")))
        return checked, own_source


_CONFIDENTIAL = (("testifier", "name"), ("testifier", "contacts"), ("person", "resident_id"), ("person", "notes"),
                 ("testimony", "notes"))
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def _confidential_values(data: dict) -> list[str]:
    sections = [data, *(t for t in data.get("testimonies") or [] if isinstance(t, dict))]
    values = [(s.get(section) or {}).get(name) for s in sections for section, name in _CONFIDENTIAL
              if isinstance(s.get(section), dict)]
    return [v.strip() for v in values if isinstance(v, str) and len(v.strip()) >= 3]


def _redact(message: str, secrets: list[str]) -> str:
    """A validator's message without a confidential value: one of the row's confidential fields (a shifted
    CSV cell lands in another column), or a quoted value that looks like a phone number, e-mail or ID number."""
    for secret in secrets:
        message = message.replace(secret[:80], "(a confidential value)")

    def withhold(match: re.Match) -> str:
        quoted = match.group(0)
        identifying = "@" in quoted or sum(c.isdigit() for c in quoted) >= 9
        return "(a value that looks confidential)" if identifying else quoted

    return _QUOTED.sub(withhold, message)


def _facility_key(text: str) -> str:
    return "BFN:" + text[4:] if text.lower().startswith("bfn:") else text


def _run(errors: list, prefix: str, check: Callable, *args: Any, renames: dict | None = None) -> Any:
    """Call a validator; its InvalidInput becomes an error naming the field as the row names it."""
    try:
        return check(*args)
    except InvalidInput as exc:
        where = (renames or {}).get(exc.where, exc.where)
        errors.append((prefix + where if where else prefix.rstrip(".") or None, exc.reason))
        return None


def _text(errors: list, section: dict, name: str, prefix: str) -> str | None:
    return _run(errors, prefix, clean_text, section.get(name), name)


def _join_lines(text: str | None, label: str, extra: str | None) -> str | None:
    if not extra:
        return text
    line = f"{label}: {extra}"
    return f"{text}\n{line}" if isinstance(text, str) and text.strip() else line


def _list(value: Any) -> list:
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    return list(value or [])


def _source_input(s: dict, fallback_date: Any) -> SourceInput:
    return SourceInput(s.get("kind") or "testimony", s.get("title"), s.get("date") or fallback_date,
                       s.get("language"), s.get("publisher"), s.get("url"))


def _testimony_parts(data: dict) -> list[tuple[str, dict, dict, dict | None]]:
    """(field prefix, testifier, testimony, own source or None) for each testimony the row records."""
    if "testimonies" in data:
        return [(f"testimonies[{i}].", t.get("testifier") or {}, t.get("testimony") or {}, t.get("source"))
                for i, t in enumerate(data["testimonies"])]
    kind = (data.get("source") or {}).get("kind") or "testimony"
    if data.get("testifier") or data.get("testimony") or str(kind).strip().lower() == "testimony":
        return [("", data.get("testifier") or {}, data.get("testimony") or {}, None)]
    return []


_SCALAR = (str, int, float, type(None))


def _check_shape(data: dict, errors: list) -> None:
    """Unknown keys and wrong types, named by their path; the validators check the values."""
    allowed = set(SECTIONS) | {"events", "testimonies"} | set(EXPORT_ONLY["row"])
    for key in data:
        if key not in allowed:
            errors.append((str(key)[:60], "unknown field"))
    if "testimonies" in data and ("testifier" in data or "testimony" in data):
        errors.append(("testimonies", "give either testifier/testimony or a testimonies list, not both"))
    for section, names in SECTIONS.items():
        _check_object(data.get(section), section, names + EXPORT_ONLY.get(section, ()), errors,
                      nested=("names", "citizenships") if section == "person" else ())
    for i, event in enumerate(_check_list(data.get("events"), "events", errors)):
        _check_object(event, f"events[{i}]", EVENT_FIELDS + EXPORT_ONLY["event"], errors)
    for i, item in enumerate(_check_list(data.get("testimonies"), "testimonies", errors)):
        where = f"testimonies[{i}]"
        parts = ("testifier", "testimony", "source")
        if _check_object(item, where, parts + EXPORT_ONLY["testimony_item"], errors, nested=parts + ("ids",)):
            for section in parts:
                _check_object(item.get(section), f"{where}.{section}", SECTIONS[section], errors)
    person = data.get("person")
    if isinstance(person, dict):
        for i, name in enumerate(_check_list(person.get("names"), "person.names", errors)):
            if not isinstance(name, str):
                _check_object(name, f"person.names[{i}]", NAME_FIELDS, errors)
        if not isinstance(person.get("citizenships"), str):
            for i, code in enumerate(_check_list(person.get("citizenships"), "person.citizenships", errors)):
                if not isinstance(code, str):
                    errors.append((f"person.citizenships[{i}]", "expected a country code"))


def _check_object(value: Any, where: str, names: tuple[str, ...], errors: list, nested: tuple[str, ...] = ()) -> bool:
    """An object with known keys whose values are texts or numbers (or, for `nested` keys, checked elsewhere)."""
    if value is None:
        return False
    if not isinstance(value, dict):
        errors.append((where, "expected an object"))
        return False
    for key, item in value.items():
        if key not in names:
            errors.append((f"{where}.{str(key)[:60]}", "unknown field"))
        elif key not in nested and (not isinstance(item, _SCALAR) or isinstance(item, bool)):
            errors.append((f"{where}.{key}", "expected a text or a number"))
    return True


def _check_list(value: Any, where: str, errors: list) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append((where, "expected a list"))
        return []
    return value


def _facility_refs(registry: Registry) -> set[str]:
    """Every way a row may name a known facility: its id, BFN:<source id>, its exact name."""
    with registry.db.reading() as conn:
        rows = conn.execute(select(facilities.c.id, facilities.c.source_ref, facilities.c.name)).all()
    return {r.id for r in rows} | {f"BFN:{r.source_ref}" for r in rows if r.source_ref} | {r.name for r in rows}


# --- the rejected file ------------------------------------------------------------------------
def open_private(path: Path) -> IO[str]:
    """A text file only its owner may read (it may hold confidential values)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise ServiceError(f"cannot write {path}: {exc.strerror}") from None
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


class _Rejected:
    """Rows that were not imported, as they were read, with an `error` (the first CSV column)."""

    def __init__(self, path: Path | None, reader: Reader):
        self.reader = reader
        self.handle = open_private(Path(path)) if path else None
        self.csv = None

    def write(self, item: _Item, errors: list[RowError]) -> None:
        if self.handle is None:
            return
        reason = " | ".join(str(e) for e in errors)
        if self.reader.format == "jsonl":
            value = {**item.raw, "error": reason} if isinstance(item.raw, dict) else {"error": reason, "text": item.raw}
            self.handle.write(json.dumps(value, ensure_ascii=False) + "\n")
            return
        keep = [i for i, column in enumerate(self.reader.header) if column != "error"]
        if self.csv is None:
            self.csv = csv.writer(self.handle)
            self.csv.writerow(["error"] + [self.reader.header[i] for i in keep])
        cells = list(item.raw)
        self.csv.writerow([reason] + [cells[i] for i in keep if i < len(cells)] + cells[len(self.reader.header):])

    def close(self) -> None:
        if self.handle is not None:
            if self.csv is None and self.reader.format == "csv" and self.reader.header:
                csv.writer(self.handle).writerow(["error"] + [c for c in self.reader.header if c != "error"])
            self.handle.close()


# --- the import -------------------------------------------------------------------------------
class _NothingWritten(Exception):
    """Raised inside the import's transaction to roll it back when a row has errors."""


def import_file(registry: Registry, actor: Actor, path: str | Path, project_id: str, *, skip_invalid: bool = False,
                rejected_path: str | Path | None = None, progress: Progress | None = None) -> ImportReport:
    """Check and write every row in one reading and one transaction.

    A row with errors stops the writing (unless `skip_invalid`): the rest of the file is still
    checked, so the report lists every error, and the transaction is rolled back — nothing is
    written. `rejected_path`, when given, receives the rows that were not imported with their reasons.
    """
    actor.require_write(project_id)
    path = Path(path)
    if not path.is_file():
        raise InvalidInput("no such file", path.name)
    checker = Checker(registry, _facility_refs(registry))
    reader = Reader(path)
    report = ImportReport(reader.name)
    rejected = _Rejected(rejected_path, reader)
    try:
        with registry.db.transaction() as conn:
            parent_seq = registry.audit.append(conn, "import", project_id, {"file": path.name}, actor=actor.label)
            with deferred_indexes(conn, BULK_TABLES) if _is_bulk(conn, path) else nullcontext():
                written = _read_and_write(registry, conn, actor, project_id, reader, checker, report, rejected,
                                          parent_seq, skip_invalid, progress)
            if written == 0 or (report.rejected and not skip_invalid):
                raise _NothingWritten
            # A keyed fingerprint: it identifies the file to the registry, but lets nobody holding a copy confirm it.
            registry.audit.append(conn, "import.summary", project_id, {
                "fingerprint": registry.keys.blind("import.file", reader.sha256), "rows": report.rows_read,
                "persons": written, "rejected": report.rejected}, actor=actor.label, parent_seq=parent_seq)
    except _NothingWritten:
        return report
    finally:
        rejected.close()
    registry.db.analyze()
    report.persons_written, report.audit_seq = written, parent_seq
    return report


def _is_bulk(conn, path: Path) -> bool:  # noqa: ANN001
    size = path.stat().st_size
    if size < BULK_MIN_BYTES:
        return False
    existing = conn.execute(select(func.count()).select_from(persons)).scalar_one()
    return size // BYTES_PER_PERSON >= existing


def _read_and_write(registry: Registry, conn, actor: Actor, project_id: str, reader: Reader,  # noqa: ANN001
                    checker: Checker, report: ImportReport, rejected: _Rejected, parent_seq: int,
                    skip_invalid: bool, progress: Progress | None) -> int:
    """Every row checked; valid rows written in chunks while no error forbids it. Returns rows written.

    A chunk is flushed in a second thread while the next one is read and checked: the database
    driver releases the interpreter lock while it inserts, so the two overlap on two cores. One
    flush runs at a time, in order; collecting a chunk does not touch the connection.
    """
    writer, pending, written = Writer(registry, conn, actor), 0, 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-flush") as flusher:
        flushing: Future | None = None
        for item in reader:
            report.rows_read += 1
            record, problems = (None, item.problems) if item.problems else checker.check(item.data)
            if problems:
                errors = [RowError(reader.name, item.line, where, message) for where, message in problems]
                report.rejected += 1
                report.error_count += len(errors)
                report.errors += errors[: max(0, MAX_ERRORS - len(report.errors))]
                rejected.write(item, errors)
            elif skip_invalid or not report.rejected:
                write_record(writer, project_id, record)
                pending += 1
                if pending == CHUNK:
                    following = writer.successor()
                    if flushing is not None:
                        flushing.result()
                    flushing = flusher.submit(writer.flush, parent_seq=parent_seq)
                    writer, written, pending = following, written + pending, 0
            if progress and report.rows_read % 1000 == 0:
                progress("import", reader.offset, reader.size)
        if flushing is not None:
            flushing.result()
    if pending and (skip_invalid or not report.rejected):
        writer.flush(parent_seq=parent_seq)
        written += pending
    if progress:
        progress("import", reader.size, reader.size)
    return written


def write_record(writer: Writer, project_id: str, record: Record) -> str:
    """A row's source, person, events and testimonies through the Writer, under one audit entry; returns the person's id."""
    writer.begin_record()
    source_id = writer.add_source(project_id, record.source)
    person_id = writer.add_person(project_id, record.person, source_id)
    for event in record.events:
        writer.add_event(person_id, event, source_id)
    for testimony, own_source in record.testimonies:
        testimony_source = source_id if own_source is None else writer.add_source(project_id, own_source)
        writer.add_testimony(project_id, testimony_source, testimony, [person_id])
    writer.end_record(person_id)
    return person_id

