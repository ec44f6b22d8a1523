"""`testimonia intake`, `drafts`, `review`: documents to drafts, and drafts through a reviewer into records."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from ..domain.vocab import EventType, PersonRole, RelationType, SourceKind
from ..services import drafts as svc
from ..services.access import Actor
from ..services.errors import ServiceError
from ..services.inputs import check_date
from ..services.registry import Registry
from .common import EXIT_ERROR, Session, echo_json, handle_errors, pass_session
from .records import _project

#: Texts handed to the extractor at once, per process: each chunk's drafts are saved as they come.
CHUNK_PER_PROCESS = 32
CONTEXT = 60  # characters shown on either side of a span


# --- printing drafts --------------------------------------------------------------------------------

def _place(place: Any) -> str:
    if not place:
        return ""
    if isinstance(place, dict):
        text, code = place.get("text"), place.get("code")
        return f"{text} ({code})" if text and code and text != code else str(text or code or "")
    return str(place)


def _event_line(event: dict) -> str:
    parts = [str(event.get("type")), event.get("date") or "(undated)", _place(event.get("place")),
             str(event.get("facility") or "")]
    return "  ".join(p for p in parts if p)


def _who(person: dict) -> str:
    if person.get("name"):
        return str(person["name"])
    return "(unnamed: " + ", ".join(f'"{m}"' for m in person.get("mentions") or []) + ")"


def print_draft(draft: dict, names: dict[str, str] | None = None) -> None:
    """Per person: id, name or mentions, role, status, relations, events."""
    names = names or {p["id"]: _who(p) for p in draft.get("persons") or []}
    for person in draft.get("persons") or []:
        click.echo(f"  {person['id']}  {_who(person)}  role: {person.get('role') or '?'}  "
                   f"status: {person.get('status') or '-'}")
        for relation in person.get("relations") or []:
            click.echo(f"      relation: {relation.get('type')} {relation.get('to')} {names.get(relation.get('to'), '')}")
        for event in person.get("events") or []:
            click.echo(f"      event: {_event_line(event)}")


# --- intake ----------------------------------------------------------------------------------------

@dataclass
class _Batch:
    """One run of `intake`: what it counts and prints."""

    dry_run: bool
    as_json: bool
    single: bool
    bar: tqdm
    drafted: int = 0
    already: int = 0
    failed: int = 0
    seen: dict[str, Path] = field(default_factory=dict)  # sha256 -> the first file with those bytes

    def say(self, message: str) -> None:
        self.bar.write(message, file=sys.stderr)

    def fail(self, path: Path, reason: str) -> None:
        self.failed += 1
        self.say(f"skipped {path}: {reason}")
        self.bar.update(1)

    def skip(self, path: Path, reason: str) -> None:
        self.already += 1
        self.say(f"skipped {path}: {reason}")
        self.bar.update(1)

    def show(self, path: Path, draft: dict, draft_id: str | None) -> None:
        self.drafted += 1
        self.bar.update(1)
        if self.as_json:
            out = dict(draft) if self.single else {"file": str(path), **draft}
            if draft_id:
                out["draft_id"] = draft_id
            click.echo(json.dumps(out, ensure_ascii=False, indent=1 if self.single else None))
            return
        click.echo(f"{path}" + (f" → {draft_id}" if draft_id else " (dry run: not saved)"))
        print_draft(draft)


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(items, size)):
        yield chunk


def register(main: click.Group) -> None:
    @main.command("intake")
    @click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
    @click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True,
                  help="json: the draft of one file as a JSON object; of several, JSON Lines with \"file\".")
    @click.option("--dry-run", is_flag=True, help="Only print the drafts: no data folder needed, nothing written.")
    @click.option("--kind", type=click.Choice(SourceKind.values()), default="news_article", show_default=True,
                  help="The kind of Source a reviewed draft becomes.")
    @click.option("--date", help="EDTF date of the documents (else each one's dateline, when it has one).")
    @click.option("--project", "project_name")
    @click.option("--processes", type=click.IntRange(1, 64), default=1, show_default=True,
                  help="Extractor processes.")
    @pass_session
    @handle_errors
    def intake(session: Session, paths: tuple[Path, ...], output: str, dry_run: bool, kind: str, date: str | None,
               project_name: str | None, processes: int) -> None:
        """Draft records from documents (files, or folders read recursively: .txt .md .html .pdf .docx).

        Each draft is saved as soon as it is made; a document drafted before (the same bytes) is
        skipped, so an interrupted batch continues where it stopped when run again. A file that
        cannot be read or analysed is reported and skipped; the exit code is then 1.
        Review the drafts with `testimonia drafts` and `testimonia review`."""
        if date:
            try:
                date = check_date(date, "--date")
            except ServiceError as exc:
                raise click.BadParameter(str(exc), param_hint="--date") from None
        files = svc.document_files(list(paths))
        target: tuple[Registry, Actor, str] | None = None  # where drafts go; none in a dry run
        if not dry_run:
            target = (session.registry, session.actor, _project(session, project_name))
            svc.require_intake(target[1], target[2])
        extractor = None
        with tqdm(total=len(files), desc="intake", unit="file", file=sys.stderr, delay=1, leave=False,
                  disable=None) as bar:
            batch = _Batch(dry_run, output == "json", len(files) == 1, bar)

            def readable() -> Iterator[tuple[Path, Any]]:
                for path in files:
                    try:
                        document = svc.read_document(path)
                    except ServiceError as exc:
                        batch.fail(path, getattr(exc, "reason", str(exc)))
                        continue
                    except Exception as exc:  # a reader's bug on one odd file must not stop the batch
                        batch.fail(path, f"cannot be read ({type(exc).__name__}: {exc})")
                        continue
                    if document.sha256 in batch.seen:
                        batch.skip(path, f"the same document as {batch.seen[document.sha256]}")
                        continue
                    earlier = target and svc.already_drafted(target[0], target[2], document.sha256)
                    if earlier:
                        batch.skip(path, f"drafted already ({earlier})")
                        continue
                    batch.seen[document.sha256] = path
                    yield path, document

            def save(path: Path, document: Any, draft: dict) -> None:
                if target is None:
                    batch.show(path, draft, None)
                    return
                try:
                    draft_id = svc.save_draft(*target, document, draft, kind)
                except svc.AlreadyDone as exc:  # drafted by another run since this one looked
                    batch.skip(path, f"drafted already ({exc.draft_id})")
                except ServiceError as exc:
                    batch.fail(path, str(exc))
                else:
                    batch.show(path, draft, draft_id)

            for chunk in _chunks(readable(), CHUNK_PER_PROCESS * processes):
                extractor = extractor or svc.make_extractor()
                done = 0
                try:
                    made = iter(extractor.drafts([(d.text, date) for _, d in chunk], n_process=processes))
                except Exception:  # noqa: BLE001 (the texts are tried one by one below)
                    made = iter(())
                while done < len(chunk):
                    try:
                        draft = next(made)
                    except StopIteration:
                        break
                    except Exception:  # noqa: BLE001 one text broke the pipeline: the rest one by one
                        break
                    path, document = chunk[done]
                    save(path, document, draft)
                    done += 1
                for path, document in chunk[done:]:
                    try:
                        draft = extractor.draft(document.text, date)
                    except Exception as exc:  # noqa: BLE001
                        batch.fail(path, f"the extractor failed ({type(exc).__name__}: {exc})")
                        continue
                    save(path, document, draft)
        verb = "drafted (dry run: nothing saved)" if dry_run else "drafted"
        click.echo(f"{batch.drafted} {verb}, {batch.already} skipped as already drafted, {batch.failed} failed",
                   err=True)
        if batch.failed:
            sys.exit(EXIT_ERROR)

    @main.command("drafts")
    @click.option("--status", type=click.Choice(svc.STATUSES))
    @click.option("--project", "project_name")
    @click.option("--json", "as_json", is_flag=True)
    @pass_session
    @handle_errors
    def drafts_list(session: Session, status: str | None, project_name: str | None, as_json: bool) -> None:
        """Drafts waiting for review (or reviewed, rejected): id, file, date, persons, status."""
        project_id = _project(session, project_name) if project_name else None
        items = svc.list_drafts(session.registry, session.actor, project_id, status)
        if as_json:
            echo_json(items)
            return
        for d in items:
            click.echo(f"{d['id']}  {d['file']}  {d['date'] or '?'}  {d['persons']} persons  {d['status']}")

    @main.command("review")
    @click.argument("draft_id")
    @click.option("--accept-all", is_flag=True, help="Accept every person, event and relation as drafted.")
    @click.option("--decisions", "decisions_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help='JSON: item path → decision, e.g. {"p1": "accept", "p1.events[0]": "reject", '
                       '"p2": {"decision": "match", "person": "p_…"}}.')
    @click.option("--rest", type=click.Choice(["accept", "reject"]),
                  help="With --decisions: what happens to the persons (and items) it does not decide on.")
    @pass_session
    @handle_errors
    def review(session: Session, draft_id: str, accept_all: bool, decisions_file: Path | None,
               rest: str | None) -> None:
        """Review a draft: accept, edit, reject each person (or match it to a registry person), then
        their events and relations; the records are written at the end, all at once."""
        if accept_all and decisions_file:
            raise click.UsageError("give --accept-all or --decisions, not both")
        if rest and not decisions_file:
            raise click.UsageError("--rest goes with --decisions")
        registry, actor = session.registry, session.actor
        if accept_all:
            decisions: dict[str, Any] = {}
            rest = "accept"
        elif decisions_file:
            try:
                decisions = json.loads(decisions_file.read_text("utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise click.BadParameter(f"not JSON: {exc}", param_hint="--decisions") from None
        else:
            decisions = _interactive(registry, actor, draft_id)
        try:
            result = svc.review(registry, actor, draft_id, decisions, rest)
        except ServiceError:
            if not (accept_all or decisions_file):  # keep the answers: correct them and give them again
                click.echo("nothing was recorded; your decisions, to correct and give with --decisions FILE:",
                           err=True)
                click.echo(json.dumps(decisions, ensure_ascii=False), err=True)
            raise
        _print_result(result)


# --- interactive review ---------------------------------------------------------------------------

def _context(text: str, start: int, end: int) -> str:
    """The words around a span on one line, the span highlighted."""
    flat = lambda s: re.sub(r"\s+", " ", s)  # noqa: E731
    before, after = flat(text[max(0, start - CONTEXT):start]).lstrip(), flat(text[end:end + CONTEXT]).rstrip()
    return ("…" if start > CONTEXT else "") + before + click.style(flat(text[start:end]), fg="yellow", bold=True) \
        + after + ("…" if end + CONTEXT < len(text) else "")


def _ask(prompt: str, choices: dict[str, str], matches: int = 0) -> tuple[str, int | None]:
    """Ask until the answer is one of the choices (first letter or word), or `match N` / `m N`."""
    while True:
        answer = click.prompt(prompt, default="a").strip().lower()
        word, _, number = answer.partition(" ")
        if matches and word in ("m", "match") and number.strip().isdigit() and 1 <= int(number) <= matches:
            return "match", int(number)
        for short, decision in choices.items():
            if word in (short, decision):
                return decision, None
        click.echo(f"answer {', '.join(f'{k} ({v})' for k, v in choices.items())}"
                   + (f", or match N (1–{matches})" if matches else ""))


def _optional(prompt: str, default: str | None) -> str | None:
    value = click.prompt(f"{prompt} (- for none)", default=default or "-").strip()
    return None if value in ("", "-") else value


def _interactive(registry, actor, draft_id: str) -> dict[str, Any]:  # noqa: ANN001
    record = svc.get_draft(registry, actor, draft_id)
    if record["status"] != "pending":
        raise svc.AlreadyDone(f"draft {draft_id} was reviewed already ({record['status']})", draft_id)
    draft, text = record["draft"], record["text"]
    found = svc.candidates(registry, actor, draft_id)
    people = draft.get("persons") or []
    names = {p["id"]: _who(p) for p in people}
    click.echo(f"{record['file']}: {record['title'] or '(no title)'}, {record['date'] or 'undated'}"
               f" ({record['language'] or '?'}), {len(people)} persons")
    decisions: dict[str, Any] = {}
    for person in people:
        pid = person["id"]
        click.echo("")
        click.echo(click.style(f"{pid}  {names[pid]}", bold=True) + f"  role: {person.get('role') or '?'}"
                   f"  status: {person.get('status') or '-'}")
        for start, end in (person.get("spans") or [])[:3]:
            click.echo(f"    {_context(text, start, end)}")
        if len(person.get("spans") or []) > 3:
            click.echo(f"    (and {len(person['spans']) - 3} more mentions)")
        for relation in person.get("relations") or []:
            click.echo(f"    relation: {relation.get('type')} {relation.get('to')} {names.get(relation.get('to'), '')}")
        for event in person.get("events") or []:
            click.echo(f"    event: {_event_line(event)}")
        matches = found.get(pid, [])
        for number, (person_id, name, score) in enumerate(matches, start=1):
            click.echo(f"    match {number}: {person_id}  {name}  (name score {score:.2f})")
        decision, choice = _ask("accept / edit / reject" + (" / match N" if matches else ""),
                                {"a": "accept", "e": "edit", "r": "reject"}, len(matches))
        if decision == "edit":
            decisions[pid] = {"decision": "edit", "name": _optional("name", person.get("name")),
                              "role": click.prompt("role", default=person.get("role") or "other",
                                                   type=click.Choice(PersonRole.values()))}
        elif decision == "match":
            decisions[pid] = {"decision": "match", "person": matches[(choice or 1) - 1][0]}
        else:
            decisions[pid] = decision
    accepted = {pid for pid, d in decisions.items() if d != "reject"}
    asked: set[tuple] = set()
    for person in people:
        pid = person["id"]
        if pid not in accepted:
            continue
        for index, event in enumerate(person.get("events") or []):
            path = f"{pid}.events[{index}]"
            click.echo("")
            click.echo(click.style(f"{path}  {names[pid]}", bold=True) + f"  {_event_line(event)}")
            if event.get("span"):
                click.echo(f"    {_context(text, *event['span'])}")
            decision, _ = _ask("accept / edit / reject", {"a": "accept", "e": "edit", "r": "reject"})
            if decision == "edit":
                decisions[path] = {
                    "decision": "edit",
                    "type": click.prompt("type", default=event.get("type"), type=click.Choice(EventType.values())),
                    "date": _optional("date (EDTF)", event.get("date")),
                    "place": _optional("place (code or name)", (event.get("place") or {}).get("code")
                                       or (event.get("place") or {}).get("text")),
                    "facility": _optional("facility", event.get("facility"))}
            else:
                decisions[path] = decision
        for index, relation in enumerate(person.get("relations") or []):
            other = relation.get("to")
            fact = svc.relation_key(pid, str(relation.get("type")), str(other))
            if other not in accepted or fact in asked:  # not recorded anyway, or asked on the other side
                continue
            asked.add(fact)
            path = f"{pid}.relations[{index}]"
            click.echo("")
            click.echo(click.style(path, bold=True) + f"  {names[pid]} —{relation.get('type')}→ {names.get(other, other)}")
            decision, _ = _ask("accept / edit / reject", {"a": "accept", "e": "edit", "r": "reject"})
            if decision == "edit":
                decisions[path] = {"decision": "edit",
                                   "type": click.prompt("type", default=relation.get("type"),
                                                        type=click.Choice(RelationType.values())),
                                   "to": click.prompt("to", default=other, type=click.Choice(sorted(accepted)))}
            else:
                decisions[path] = decision
    click.echo("")
    return decisions


def _print_result(result: svc.ReviewResult) -> None:
    if result.status == "rejected":
        click.echo(f"{result.draft_id}: rejected; nothing recorded")
        return
    click.echo(f"{result.draft_id}: reviewed; source {result.source_id}; {len(result.created)} persons created, "
               f"{len(result.matched)} matched; {len(result.names)} names, {len(result.events)} events, "
               f"{len(result.relations)} relations")
    for pid, person_id in result.persons.items():
        click.echo(f"  {pid} → {person_id} ({'matched' if pid in result.matched else 'created'})")
    for note in result.skipped:
        click.echo(f"  note: {note}", err=True)
