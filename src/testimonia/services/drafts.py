"""Drafts from intake, and their review into records.

Intake (testimonia.intake) reads a document and proposes a *draft*: persons with their mentions and
text spans, roles, relations and events (the schema of shared/data/intake/dev/*.json). A draft is
stored here with the document's text, which is `internal`: only members of the project whose role
may read internal fields see drafts, and only those who may also write (admins, editors) save and
review them.

A review turns a draft into records in one transaction, through the same Writer as every other
record (audit chain, name keys, status derivation, search documents): the Source once, a Person
for each accepted draft person (or the registry person it was matched to), its name and the
mentions that are names as Names tied to the Source, each accepted event with its span,
confidence and order in the text, and each accepted relation once. Every decision is kept in the
append-only `draft_reviews` log. A review that fails changes nothing.

Decisions map item paths to what the reviewer decided:

    "p1"               "accept" | "reject" | {"decision": "edit", "name": …, "role": …, "age": {…}}
                       | {"decision": "match", "person": "p_…"}  (an existing registry person)
    "p1.events[2]"     "accept" | "reject" | {"decision": "edit", "type"|"date"|"place"|"facility": …}
    "p1.relations[0]"  "accept" | "reject" | {"decision": "edit", "type"|"to": …}

A person nobody decided on is rejected under `rest="reject"`, accepted under `rest="accept"`, and
an error otherwise; the events and relations of an accepted person follow `rest` when given, else
are accepted. A relation and its mirror on the other person ("p1 spouse p2", "p2 spouse p1") are
one fact, recorded once, and not at all when either side was rejected explicitly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import distinct, func, select, update

from ..domain.vocab import PersonRole, RelationType, Sensitivity, SourceKind, UserRole
from ..names import THRESHOLD, Variants, compare, normalise, prepare
from ..names import name_keys as blocking_keys
from ..store.crypto import new_id
from ..store.schema import draft_reviews, drafts, name_keys, names, persons, users
from .access import Actor
from .errors import Conflict, InvalidInput, NotFound, ServiceError
from .inputs import (
    MAX_TEXT,
    EventInput,
    NameInput,
    PersonInput,
    SourceInput,
    check_date,
    check_event,
    check_person,
    check_place,
    check_source,
    check_vocab,
    clean_text,
)
from .name_variants import folder_variants
from .registry import Registry, utcnow
from .visibility import not_withdrawn
from .writer import Writer

STATUSES = ("pending", "reviewed", "rejected")
DECISIONS = ("accept", "edit", "reject", "match")
#: Suffixes of the files intake reads (testimonia.intake.documents).
SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
#: Registry persons read per draft person before comparing names (those sharing the most keys first).
MAX_BLOCK = 200
MAX_CANDIDATES = 10
#: What an edit may change, per kind of item (a person's status is derived from events, never edited).
EDITABLE = {"person": ("name", "role", "age"), "events": ("type", "date", "place", "facility"),
            "relations": ("type", "to")}
_PATH = re.compile(r"^(?P<person>[^.\[\]\s]+)(?:\.(?P<kind>events|relations)\[(?P<index>\d+)\])?$")
#: Words that make a mention a description rather than a name ("her husband", "my son", "the driver").
_NOT_NAME_WORDS = frozenset("""
    my your his her its our their the a an this that these those one another someone
    husband wife spouse son sons daughter daughters child children kid kids baby father mother parent parents
    dad mom mum brother brothers sister sisters sibling siblings uncle aunt cousin cousins nephew niece
    grandfather grandmother grandson granddaughter grandchild grandchildren grandparents relative relatives
    family in-law father-in-law mother-in-law son-in-law daughter-in-law brother-in-law sister-in-law
    man woman men women boy girl person people friend friends colleague colleagues neighbor neighbour
    driver teacher imam officer official police policeman policemen guard guards
""".split())


class Unreadable(InvalidInput):
    """A document intake cannot read (empty, binary, damaged, an unknown format)."""


class AlreadyDone(Conflict):
    """The document is drafted already, or the draft was reviewed already: `draft_id` names it."""

    def __init__(self, message: str, draft_id: str):
        ServiceError.__init__(self, message)
        self.fields, self.current_version, self.draft_id = [], 0, draft_id


@dataclass
class ReviewResult:
    draft_id: str
    status: str  # reviewed | rejected (nothing accepted)
    source_id: str | None
    persons: dict[str, str] = field(default_factory=dict)  # draft person id -> registry person id
    created: list[str] = field(default_factory=list)  # registry persons created
    matched: dict[str, str] = field(default_factory=dict)  # draft person id -> existing registry person
    names: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    relations: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # what was accepted but could not be recorded, and why


# --- permissions --------------------------------------------------------------------------------

def require_intake(actor: Actor, project_id: str) -> None:
    """Saving and reviewing drafts: a writer of the project who may read internal fields."""
    actor.require_write(project_id)
    actor.require_level(Sensitivity.INTERNAL)


def _require_reader(actor: Actor, project_id: str | None = None) -> None:
    actor.require_level(Sensitivity.INTERNAL)
    if project_id is not None:
        actor.require_project(project_id)


# --- reading documents and extracting (the intake engine, imported when first needed) -----------

def read_document(path: Path):  # noqa: ANN201 (testimonia.intake.documents.Document)
    """Read a file for intake; raises Unreadable with the reason (a file without text is one)."""
    from ..intake.documents import UnreadableDocument
    from ..intake.documents import read_document as read

    try:
        document = read(Path(path))
    except UnreadableDocument as exc:
        raise Unreadable(getattr(exc, "reason", None) or str(exc) or "unreadable") from None
    text = document.text or ""
    if not text.strip():
        raise Unreadable("no text in it")
    if len(text) > MAX_TEXT:
        raise Unreadable(f"its text is longer than {MAX_TEXT:,} characters: split it first")
    odd = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f"))
    if "\x00" in text or odd > len(text) / 20:
        raise Unreadable("it looks binary, not text")
    return document


def make_extractor():  # noqa: ANN201 (testimonia.intake.extract.Extractor)
    """The extractor (loads the language model once: a second or two)."""
    try:
        from ..intake.extract import Extractor

        return Extractor()
    except (ImportError, OSError) as exc:
        raise ServiceError(f"the intake model cannot be loaded ({exc}); reinstall with `make venv`") from None


def document_files(paths: list[Path]) -> list[Path]:
    """The files to read: each file given, and the files of each folder (recursed) with an intake suffix."""
    out: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                          and not any(part.startswith(".") for part in p.relative_to(path).parts))
        else:
            out.append(path)
    return list(dict.fromkeys(out))


# --- storing and listing --------------------------------------------------------------------------

def save_draft(registry: Registry, actor: Actor, project_id: str, document: Any, draft: Mapping[str, Any],
               kind: str = "news_article") -> str:
    """Store the draft of a document (a testimonia.intake Document: path, format, text, sha256, title).

    `kind` is the kind of Source its review will create. Raises AlreadyDone when the project has a
    draft of the same bytes already."""
    require_intake(actor, project_id)
    source_kind = check_vocab(SourceKind, kind, "kind")
    if source_kind is None:
        raise InvalidInput("a draft needs the kind of its source", "kind")
    text = document.text
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("the document has no text", "document.text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"longer than {MAX_TEXT:,} characters", "document.text")
    _check_shape(draft, len(text))
    about = draft.get("document") or {}
    date = check_date(about.get("date"), "document.date")
    language = clean_text(about.get("language"), "document.language", 20)
    title = clean_text(document.title, "document.title", 1000)
    sha256 = str(document.sha256)
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise InvalidInput("not a SHA-256 hex digest", "document.sha256")
    draft_id = new_id("dr")
    with registry.db.transaction() as conn:
        earlier = _drafted(conn, project_id, sha256)
        if earlier:
            raise AlreadyDone(f"{document.path} is drafted already ({earlier})", earlier)
        conn.execute(drafts.insert().values(
            id=draft_id, project_id=project_id, file=str(document.path), sha256=sha256,
            format=str(document.format)[:20], title=title, date=date, language=language, kind=source_kind.value,
            text=text, draft=json.dumps(draft, ensure_ascii=False), persons=len(draft.get("persons") or []),
            status="pending", created_at=utcnow(), created_by=actor.user_id))
        registry.audit.append(conn, "draft.create", draft_id, {
            "project": project_id, "sha256": sha256, "format": document.format, "kind": source_kind.value,
            "date": date, "language": language, "text_chars": len(text),
            "persons": len(draft.get("persons") or []),
            "events": sum(len(p.get("events") or []) for p in draft.get("persons") or [])}, actor=actor.label)
    return draft_id


def already_drafted(registry: Registry, project_id: str, sha256: str) -> str | None:
    """The id of the project's draft of the document with these bytes, if there is one."""
    with registry.db.reading() as conn:
        return _drafted(conn, project_id, sha256)


def _drafted(conn, project_id: str, sha256: str) -> str | None:  # noqa: ANN001
    return conn.execute(select(drafts.c.id).where(drafts.c.project_id == project_id,
                                                  drafts.c.sha256 == sha256)).scalar_one_or_none()


_LISTED = ("id", "project_id", "file", "sha256", "format", "title", "date", "language", "kind", "persons", "status",
           "created_at", "created_by", "reviewed_at", "reviewed_by", "source_id")


def list_drafts(registry: Registry, actor: Actor, project_id: str | None = None,
                status: str | None = None) -> list[dict[str, Any]]:
    """The drafts of the actor's projects (or of one), oldest first, without their text."""
    _require_reader(actor, project_id)
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"{status!r} is not one of: {', '.join(STATUSES)}", "status")
    query = select(*(drafts.c[c] for c in _LISTED)).order_by(drafts.c.created_at, drafts.c.id)
    if project_id is not None:
        query = query.where(drafts.c.project_id == project_id)
    elif actor.role is not UserRole.ADMIN:
        query = query.where(drafts.c.project_id.in_(sorted(actor.projects)))
    if status is not None:
        query = query.where(drafts.c.status == status)
    with registry.db.reading() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def get_draft(registry: Registry, actor: Actor, draft_id: str) -> dict[str, Any]:
    """A draft with its text, the draft itself (`draft`) and the review log (`reviews`)."""
    actor.require_level(Sensitivity.INTERNAL)
    with registry.db.reading() as conn:
        row = _row(conn, draft_id)
        actor.require_project(row["project_id"])
        out = {k: v for k, v in row.items() if k != "draft"}
        out["draft"] = json.loads(row["draft"])
        out["reviews"] = [
            {**dict(r), "value": json.loads(r["value"]) if r["value"] else None,
             "created": json.loads(r["created"]) if r["created"] else []}
            for r in conn.execute(select(draft_reviews.c.item, draft_reviews.c.decision, draft_reviews.c.value,
                                         draft_reviews.c.created, draft_reviews.c.created_at,
                                         draft_reviews.c.created_by)
                                  .where(draft_reviews.c.draft_id == draft_id)
                                  .order_by(draft_reviews.c.id)).mappings()]
    return out


def _row(conn, draft_id: str) -> dict[str, Any]:  # noqa: ANN001
    row = conn.execute(select(drafts).where(drafts.c.id == draft_id)).mappings().one_or_none()
    if row is None:
        raise NotFound(f"no draft {draft_id}")
    return dict(row)


def _check_shape(draft: Any, text_length: int) -> None:
    """The draft is in the schema's shape (values are checked when reviewed, where they can be edited)."""
    if not isinstance(draft, Mapping):
        raise InvalidInput("a draft is a JSON object", "draft")
    if not isinstance(draft.get("document", {}) or {}, Mapping):
        raise InvalidInput("expected an object", "document")
    people = draft.get("persons", [])
    if not isinstance(people, list):
        raise InvalidInput("expected a list", "persons")
    seen: set[str] = set()
    for i, person in enumerate(people):
        where = f"persons[{i}]"
        if not isinstance(person, Mapping):
            raise InvalidInput("expected an object", where)
        pid = person.get("id")
        if not isinstance(pid, str) or not _PATH.fullmatch(pid) or "." in pid or pid in seen:
            raise InvalidInput(f"{pid!r} is not a usable id (unique, without spaces, dots or brackets)", f"{where}.id")
        seen.add(pid)
        if person.get("name") is not None and not isinstance(person["name"], str):
            raise InvalidInput("a name is text or null", f"{pid}.name")
        for key in ("mentions", "spans", "relations", "events", "places"):
            if not isinstance(person.get(key) or [], list):
                raise InvalidInput("expected a list", f"{pid}.{key}")
        if not all(isinstance(m, str) for m in person.get("mentions") or []):
            raise InvalidInput("mentions are text", f"{pid}.mentions")
        for span in person.get("spans") or []:
            _check_span(span, text_length, f"{pid}.spans")
        for j, item in enumerate(person.get("events") or []):
            if not isinstance(item, Mapping):
                raise InvalidInput("expected an object", f"{pid}.events[{j}]")
            if item.get("span") is not None:
                _check_span(item["span"], text_length, f"{pid}.events[{j}].span")
        for j, item in enumerate(person.get("relations") or []):
            if not isinstance(item, Mapping):
                raise InvalidInput("expected an object", f"{pid}.relations[{j}]")


def _check_span(span: Any, text_length: int, where: str) -> tuple[int, int]:
    if (not isinstance(span, list | tuple) or len(span) != 2 or not all(isinstance(x, int) for x in span)
            or not 0 <= span[0] < span[1] <= text_length):
        raise InvalidInput(f"{span!r} is not a span of the text ([start, end] offsets, 0 ≤ start < end ≤ "
                           f"{text_length})", where)
    return span[0], span[1]


# --- candidates from the registry ---------------------------------------------------------------

def candidates(registry: Registry, actor: Actor, draft_id: str) -> dict[str, list[tuple[str, str, float]]]:
    """For each named draft person, the registry persons of the draft's project whose names match:
    blocked on the name keys they share, scored by testimonia.names.compare (kept at its THRESHOLD),
    best first, as (person id, the name that matched best, score)."""
    actor.require_level(Sensitivity.INTERNAL)
    variants = folder_variants(registry.folder, strict=False)
    out: dict[str, list[tuple[str, str, float]]] = {}
    with registry.db.reading() as conn:
        row = _row(conn, draft_id)
        actor.require_project(row["project_id"])
        for person in json.loads(row["draft"]).get("persons") or []:
            name = (person.get("name") or "").strip()
            if not name or not normalise(name):
                continue
            out[person["id"]] = _matches(conn, actor, row["project_id"], name, variants)
    return out


def _matches(conn, actor: Actor, project_id: str, name: str, variants: Variants  # noqa: ANN001
             ) -> list[tuple[str, str, float]]:
    keys = sorted({key[:200] for key in blocking_keys(name)})
    if not keys:
        return []
    shared = func.count(distinct(name_keys.c.key)).label("shared")
    query = (select(name_keys.c.person_id, shared).join(persons, persons.c.id == name_keys.c.person_id)
             .where(name_keys.c.key.in_(keys), persons.c.project_id == project_id, persons.c.merged_into.is_(None))
             .group_by(name_keys.c.person_id).order_by(shared.desc(), name_keys.c.person_id).limit(MAX_BLOCK))
    if actor.role is not UserRole.ADMIN:
        query = query.where(persons.c.hidden == 0)
    ids = [person_id for person_id, _ in conn.execute(query)]
    if not ids:
        return []
    texts = select(names.c.person_id, names.c.text).where(names.c.person_id.in_(ids))
    if actor.role is not UserRole.ADMIN:  # a name only a withdrawn testimony gave is not shown
        texts = texts.where(not_withdrawn(names.c.source_id))
    mine = prepare(name, variants)
    best: dict[str, tuple[float, str]] = {}
    for person_id, text in conn.execute(texts):
        score = compare(mine, prepare(text, variants)).score
        if score >= THRESHOLD and score > best.get(person_id, (-1.0, ""))[0]:
            best[person_id] = (score, text)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
    return [(person_id, text, round(score, 4)) for person_id, (score, text) in ranked[:MAX_CANDIDATES]]


# --- review ---------------------------------------------------------------------------------------

def review(registry: Registry, actor: Actor, draft_id: str, decisions: Mapping[str, Any] | None = None,
           rest: str | None = None) -> ReviewResult:
    """Apply the reviewer's decisions (see the module docstring) in one transaction.

    Raises AlreadyDone (a Conflict) for a draft reviewed before, InvalidInput naming the item for a
    decision that cannot be applied; either way nothing is written."""
    if rest not in (None, "accept", "reject"):
        raise InvalidInput(f"{rest!r} is not one of: accept, reject", "rest")
    if not isinstance(decisions or {}, Mapping):
        raise InvalidInput("decisions map item paths (p1, p1.events[0], p1.relations[0]) to decisions", "decisions")
    with registry.db.transaction() as conn:
        row = _row(conn, draft_id)
        require_intake(actor, row["project_id"])
        if row["status"] != "pending":
            who = conn.execute(select(users.c.username).where(users.c.id == row["reviewed_by"])).scalar()
            when = f" at {row['reviewed_at']:%Y-%m-%d %H:%M}" if row["reviewed_at"] else ""
            raise AlreadyDone(f"draft {draft_id} was reviewed already ({row['status']} by {who or '?'}{when})",
                              draft_id)
        claimed = conn.execute(update(drafts).where(drafts.c.id == draft_id, drafts.c.status == "pending")
                               .values(status="reviewed", reviewed_at=utcnow(), reviewed_by=actor.user_id))
        if claimed.rowcount != 1:  # another reviewer got there between the read and the write
            raise AlreadyDone(f"draft {draft_id} was reviewed already", draft_id)
        plan = _Review(registry, conn, actor, row, dict(decisions or {}), rest)
        result = plan.apply()
        conn.execute(update(drafts).where(drafts.c.id == draft_id)
                     .values(status=result.status, source_id=result.source_id))
    return result


@dataclass
class _Item:
    path: str
    decision: str  # accept | edit | reject | match
    values: dict[str, Any]
    explicit: bool


@contextmanager
def _at(path: str) -> Iterator[None]:
    """Name the draft item in a validation error raised inside."""
    try:
        yield
    except InvalidInput as exc:
        where = f"{path}.{exc.where}" if exc.where and not exc.where.startswith(path) else (exc.where or path)
        raise InvalidInput(exc.reason, where) from None


class _Review:
    """One review: decisions resolved and checked, then everything collected in a Writer and flushed."""

    def __init__(self, registry: Registry, conn, actor: Actor, row: dict[str, Any],  # noqa: ANN001
                 decisions: dict[str, Any], rest: str | None):
        self.registry, self.conn, self.actor, self.row, self.rest = registry, conn, actor, row, rest
        self.draft = json.loads(row["draft"])
        self.people = {p["id"]: p for p in self.draft.get("persons") or []}
        self.decided = {path: self._decision(path, value) for path, value in decisions.items()}
        self.text, self.offset = _clean_with_offsets(row["text"])
        self.result = ReviewResult(row["id"], "reviewed", None)
        self.log: list[dict[str, Any]] = []

    # resolving decisions
    def _decision(self, path: str, value: Any) -> _Item:
        found = _PATH.fullmatch(str(path))
        if not found or found["person"] not in self.people:
            raise InvalidInput(f"no item {path!r} in the draft", "decisions")
        person = self.people[found["person"]]
        if found["kind"] and int(found["index"]) >= len(person.get(found["kind"]) or []):
            raise InvalidInput(f"no item {path!r} in the draft", "decisions")
        if isinstance(value, str):
            value = {"decision": value}
        if not isinstance(value, Mapping) or value.get("decision") not in DECISIONS:
            raise InvalidInput(f"a decision is one of {', '.join(DECISIONS)} (or an object with \"decision\")", path)
        decision, values = value["decision"], {k: v for k, v in value.items() if k != "decision"}
        kind = found["kind"] or "person"
        if decision == "match":
            if kind != "person":
                raise InvalidInput("only a person can be matched to a registry person", path)
            if not isinstance(values.get("person"), str) or set(values) != {"person"}:
                raise InvalidInput('a match names the registry person: {"decision": "match", "person": "p_…"}', path)
        elif decision == "edit":
            if "status" in values:
                raise InvalidInput("a status is derived from the events, never edited: edit the events", path)
            unknown = set(values) - set(EDITABLE[kind])
            if unknown or not values:
                raise InvalidInput(f"an edit of this item changes some of: {', '.join(EDITABLE[kind])}"
                                   + (f" (not {', '.join(sorted(unknown))})" if unknown else ""), path)
        elif values:
            raise InvalidInput(f"{decision} takes no values (edit does)", path)
        return _Item(str(path), decision, values, True)

    def _item(self, path: str, default: str | None) -> _Item:
        if path in self.decided:
            return self.decided[path]
        return _Item(path, default or "", {}, False)

    # applying
    def apply(self) -> ReviewResult:
        people = self._persons()
        accepted = {pid for pid, item in people.items() if item.decision != "reject"}
        for path, item in self.decided.items():
            owner = path.split(".", 1)[0]
            if "." in path and owner not in accepted and item.decision != "reject":
                raise InvalidInput(f"{owner} is rejected: its events and relations cannot be {item.decision}ed",
                                   path)
        writer = Writer(self.registry, self.conn, self.actor)
        project = self.row["project_id"]
        if accepted:
            with _at("document"):
                source = check_source(SourceInput(self.row["kind"], self.row["title"], self.row["date"],
                                                  self.row["language"], text=self.text))
            source.text = self.text  # cleaned once here: the spans below are offsets into exactly this
            self.result.source_id = writer.add_source(project, source)
        else:
            self.result.status = "rejected"
        for pid, item in people.items():
            self._person(writer, pid, item)
        order = self._event_order(accepted)
        for pid in self.people:
            if pid in accepted:
                self._events(writer, pid, order)
        self._relations(writer, accepted)
        counts = {d: sum(1 for e in self.log if e["decision"] == d) for d in DECISIONS}
        writer.flush(parent={"actor": self.actor.label, "action": "draft.review", "entity": self.row["id"],
                                    "change": {"status": self.result.status, "source": self.result.source_id,
                                               "persons": self.result.persons, "decisions": counts,
                                               "skipped": self.result.skipped}})
        now = utcnow()
        self.conn.execute(draft_reviews.insert(), [
            {"draft_id": self.row["id"], "item": e["item"], "decision": e["decision"],
             "value": json.dumps(e["value"], ensure_ascii=False) if e["value"] is not None else None,
             "created": json.dumps(e["created"]), "created_at": now, "created_by": self.actor.user_id}
            for e in self.log])
        return self.result

    def _persons(self) -> dict[str, _Item]:
        people = {pid: self._item(pid, self.rest) for pid in self.people}
        undecided = [pid for pid, item in people.items() if not item.decision]
        if undecided:
            raise InvalidInput(f"no decision on {', '.join(undecided)}: decide on every person, or say what "
                               "happens to the rest (accept or reject)", "decisions")
        matched: dict[str, str] = {}
        for pid, item in people.items():
            if item.decision == "match":
                target = self._registry_person(item.path, item.values["person"])
                if target in matched:
                    raise InvalidInput(f"{matched[target]} and {pid} are both matched to {target}", pid)
                matched[target] = pid
        return people

    def _registry_person(self, path: str, person_id: str) -> str:
        row = self.conn.execute(select(persons.c.project_id, persons.c.merged_into, persons.c.hidden)
                                .where(persons.c.id == person_id)).one_or_none()
        if row is None or (row.hidden and self.actor.role is not UserRole.ADMIN):
            raise InvalidInput(f"no registry person {person_id}", path)
        if row.project_id != self.row["project_id"]:
            raise InvalidInput(f"{person_id} belongs to another project than the draft", path)
        if row.merged_into:
            raise InvalidInput(f"{person_id} was merged into {row.merged_into}: match that one", path)
        return person_id

    def _person(self, writer: Writer, pid: str, item: _Item) -> None:
        person = self.people[pid]
        entry: dict[str, Any] = {"item": pid, "decision": item.decision, "value": item.values or None, "created": []}
        self.log.append(entry)
        if item.decision == "reject":
            return
        name = item.values["name"] if "name" in item.values else person.get("name")
        with _at(pid):
            if item.decision == "edit" and "role" in item.values:
                check_vocab(PersonRole, item.values["role"], "role")
            else:
                check_vocab(PersonRole, person.get("role"), "role")
            forms = _name_forms(name, person.get("mentions") or [], edited="name" in item.values)
            age = item.values["age"] if "age" in item.values else person.get("age")
            if age is not None and not isinstance(age, Mapping):
                raise InvalidInput('an age is {"years": N, "at": EDTF date}', "age")
            probe = PersonInput(names=[NameInput(text, part=part) for text, part in forms],
                                age_years=(age or {}).get("years"), age_at=(age or {}).get("at"))
            clean = check_person(probe, self.registry.gazetteer)
        source = self.result.source_id
        if item.decision == "match":
            person_id = item.values["person"]
            self.result.matched[pid] = person_id
            created = [writer.add_name(person_id, n, source) for n in clean.names]
            if age:
                self.result.skipped.append(f"{pid}: the age in the text was not applied to {person_id} "
                                           "(edit the person to add it)")
        else:
            person_id = writer.add_person(self.row["project_id"], clean, source)
            self.result.created.append(person_id)
            created = [r["id"] for r in writer.rows["names"] if r["person_id"] == person_id]
        self.result.persons[pid] = person_id
        self.result.names += created
        entry["created"] = [person_id, *created]

    def _event_order(self, accepted: set[str]) -> dict[tuple[str, int], int]:
        """Each event's place in the order the text tells them (by where its span starts)."""
        found = []
        for position, pid in enumerate(self.people):
            if pid in accepted:
                for index, event in enumerate(self.people[pid].get("events") or []):
                    span = event.get("span") or [len(self.row["text"])]
                    found.append((span[0], position, index, pid))
        return {(pid, index): order for order, (_, _, index, pid) in enumerate(sorted(found))}

    def _logged(self, path: str) -> tuple[_Item, dict[str, Any]]:
        """An event's or relation's decision (accepted unless decided otherwise) and its review-log entry."""
        item = self._item(path, self.rest or "accept")
        entry: dict[str, Any] = {"item": path, "decision": item.decision, "value": item.values or None, "created": []}
        self.log.append(entry)
        return item, entry

    def _events(self, writer: Writer, pid: str, order: dict[tuple[str, int], int]) -> None:
        person_id = self.result.persons[pid]
        for index, event in enumerate(self.people[pid].get("events") or []):
            path = f"{pid}.events[{index}]"
            item, entry = self._logged(path)
            if item.decision == "reject":
                continue
            values = {**event, **item.values}
            with _at(path):
                place = self._place(path, values.get("place"), edited="place" in item.values)
                facility = values.get("facility")
                if isinstance(facility, Mapping):
                    facility = facility.get("id") or facility.get("name") or facility.get("text")
                span = values.get("span")
                if span is not None:
                    start, end = _check_span(span, len(self.row["text"]), "span")
                    span = (self.offset(start), self.offset(end))
                confidence = values.get("confidence")
                if confidence is not None and not isinstance(confidence, int | float):
                    raise InvalidInput("a confidence is a number between 0 and 1", "confidence")
                clean = check_event(EventInput(values.get("type") or "", values.get("date"), place, facility,
                                               order[(pid, index)], span, confidence),
                                    self.registry.gazetteer, where=path)
                if (clean.facility and clean.facility.startswith(("f_", "BFN:"))
                        and writer.resolve_facility(clean.facility)[0] is None):
                    raise InvalidInput(f"unknown facility {clean.facility!r}", "facility")
            event_id = writer.add_event(person_id, clean, self.result.source_id)
            self.result.events.append(event_id)
            entry["created"] = [event_id]

    def _place(self, path: str, place: Any, edited: bool) -> str | None:
        """A place code. An edited place must be one the gazetteer knows; a place intake proposed that
        it does not know is left out (and said so), the event kept."""
        if place in (None, ""):
            return None
        if edited:
            if isinstance(place, Mapping):
                place = place.get("code") or place.get("text")
            return check_place(self.registry.gazetteer, place, "place")
        if not isinstance(place, Mapping):
            place = {"text": str(place), "code": None}
        for candidate in (place.get("code"), place.get("text")):
            match = self.registry.gazetteer.resolve(str(candidate)) if candidate else None
            if match is not None:
                return match.code
        shown = " ".join(f"{v}" for v in (place.get("text"), f"({place['code']})" if place.get("code") else None) if v)
        self.result.skipped.append(f"{path}: the place {shown} is not in the gazetteer; the event is kept without it")
        return None

    def _relations(self, writer: Writer, accepted: set[str]) -> None:
        """Each relation fact once: made when one of its sides is accepted and neither was rejected."""
        facts: dict[tuple[str, str, str], list[tuple[_Item, str, str, str, dict[str, Any]]]] = {}
        for pid in self.people:
            if pid not in accepted:
                continue
            for index, relation in enumerate(self.people[pid].get("relations") or []):
                path = f"{pid}.relations[{index}]"
                item, entry = self._logged(path)
                values = {**relation, **item.values}
                with _at(path):
                    kind = check_vocab(RelationType, values.get("type"), "type")
                    other = values.get("to")
                    if kind is None:
                        raise InvalidInput("a relation needs a type", "type")
                    if other not in self.people or other == pid:
                        raise InvalidInput(f"{other!r} is not another person of the draft", "to")
                key = relation_key(pid, kind.value, str(other))
                facts.setdefault(key, []).append((item, pid, kind.value, str(other), entry))
        for sides in facts.values():
            chosen = next((s for s in sides if s[0].decision != "reject"), None)
            refused = next((s for s in sides if s[0].decision == "reject" and s[0].explicit), None)
            if chosen is None:
                continue
            item, pid, kind, other, entry = chosen
            if refused is not None:
                self.result.skipped.append(f"{item.path}: not recorded, {refused[0].path} (the same relation) "
                                           "was rejected")
                continue
            if other not in accepted:
                self.result.skipped.append(f"{item.path}: not recorded, {other} was not accepted")
                continue
            relation_id = writer.add_relation(self.result.persons[pid], kind, self.result.persons[other],
                                              self.result.source_id)
            self.result.relations.append(relation_id)
            for side in sides:
                if side[0].decision != "reject":
                    side[4]["created"] = [relation_id]


def relation_key(pid: str, kind: str, other: str) -> tuple[str, str, str]:
    """One key for a relation and its mirror ("p1 spouse p2" and "p2 spouse p1"; "p1 parent p2" and
    "p2 child p1"): ("parent", the child, the parent), or (type, one, the other) for the symmetric."""
    if kind == RelationType.PARENT.value:
        return ("parent", pid, other)
    if kind == RelationType.CHILD.value:
        return ("parent", other, pid)
    one, the_other = sorted((str(pid), str(other)))
    return (kind, one, the_other)


def _words(text: str) -> list[str]:
    return [w.strip(".,;:'\"()«»“”‘’").casefold() for w in text.split()]


def name_like(mention: str) -> bool:
    """A mention that is a name ("Halambek", "Arzegul Halambek"), not a description ("her husband")."""
    words = [w for w in _words(mention) if w]
    if not words or not normalise(mention) or any(w in _NOT_NAME_WORDS for w in words):
        return False
    first = mention.strip()[0]
    return not (first.isalpha() and first.lower() != first.upper() and first.islower())


def _name_forms(name: str | None, mentions: list[str], edited: bool) -> list[tuple[str, str]]:
    """(text, part) of the names to record: the name, then each mention that is a name. A mention
    that is some of the name's words is its given name (the first word) or surname (the last);
    another spelling of it, `full`; a single other word, an `alias`. Once a reviewer corrected the
    name, only mentions made of its words are kept."""
    if name is None or not str(name).strip():
        return []
    name = str(name).strip()
    whole = [w for w in _words(name) if w]
    forms = [(name, "full")]
    seen = {" ".join(whole)}
    for mention in mentions:
        mention = " ".join(mention.split())
        words = [w for w in _words(mention) if w]
        if not name_like(mention) or " ".join(words) in seen:
            continue
        inside = all(w in whole for w in words)
        if edited and not inside:
            continue
        if inside and len(words) == 1:
            part = "given" if words[0] == whole[0] else "surname" if words[0] == whole[-1] else "full"
        else:
            part = "full" if len(words) > 1 else "alias"
        seen.add(" ".join(words))
        forms.append((mention, part))
    return forms


def _clean_with_offsets(text: str) -> tuple[str, Callable[[int], int]]:
    """The text as a Source stores it (inputs.clean_text: control and bidirectional override characters
    removed, surrounding blanks stripped) and a function taking an offset in the original to the
    same place in it, so the draft's spans still point at their words."""
    clean = clean_text(text, "text") or ""
    if clean == text:
        return text, lambda i: i
    mapped, j = [], 0
    for ch in text:  # clean_text only deletes characters: align the two, keeping what stayed
        mapped.append(j)
        if j < len(clean) and clean[j] == ch:
            j += 1
    mapped.append(j)
    return clean, lambda i: mapped[i]
