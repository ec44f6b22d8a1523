"""Recording commands: users and projects, persons, names, relations, sources, testimonies, events; show, history."""

from __future__ import annotations

import click

from ..services import records as svc
from ..services import users
from ..services.inputs import EventInput, NameInput, PersonInput, SourceInput, TestimonyInput
from ..services.views import history, person_view
from .common import Session, echo_json, handle_errors, pass_session


def _project(session: Session, name: str | None) -> str:
    if name:
        return users.project_id_by_name(session.registry, name)
    projects = sorted(session.actor.projects)
    if len(projects) != 1:
        raise click.UsageError("you are in several projects (or none): choose one with --project")
    return projects[0]


def register(main: click.Group) -> None:
    @main.group()
    def user() -> None:
        """Users, roles (admin, editor, volunteer, researcher, viewer) and projects."""

    @user.command("add")
    @click.argument("username")
    @click.option("--role", required=True, type=click.Choice(["admin", "editor", "volunteer", "researcher", "viewer"]))
    @click.option("--project", "project_names", multiple=True, help="Project(s) the user is a member of.")
    @click.password_option("--new-password", envvar="TESTIMONIA_NEW_PASSWORD", help="Their password ($TESTIMONIA_NEW_PASSWORD).")
    @pass_session
    @handle_errors
    def user_add(session: Session, username: str, role: str, project_names: tuple[str, ...], new_password: str) -> None:
        ids = [users.project_id_by_name(session.registry, p) for p in project_names]
        click.echo(users.create_user(session.registry, session.actor, username, new_password, role, ids))

    @user.command("list")
    @pass_session
    @handle_errors
    def user_list(session: Session) -> None:
        for u in users.list_users(session.registry, session.actor):
            click.echo(f"{u['username']:<20} {u['role']:<11} {'active' if u['active'] else 'inactive':<9} {', '.join(u['projects'])}")

    @main.group()
    def project() -> None:
        """Projects: compartments of records; users see only their projects."""

    @project.command("add")
    @click.argument("name")
    @pass_session
    @handle_errors
    def project_add(session: Session, name: str) -> None:
        click.echo(users.create_project(session.registry, session.actor, name))

    @project.command("member")
    @click.argument("project_name")
    @click.argument("username")
    @pass_session
    @handle_errors
    def project_member(session: Session, project_name: str, username: str) -> None:
        users.add_member(session.registry, session.actor, users.load_actor(session.registry, username).user_id,
                         users.project_id_by_name(session.registry, project_name))

    @main.group()
    def person() -> None:
        """Persons: add, edit."""

    @person.command("add")
    @click.option("--name", "names", multiple=True, help="A written form of the name (script and language detected).")
    @click.option("--sex", type=click.Choice(["male", "female", "unknown"]))
    @click.option("--ethnicity")
    @click.option("--birth-date", help="EDTF: 1958, 1958-03, 1958~, 1957/1959.")
    @click.option("--age", "age_years", type=int, help="Age in years at --age-at.")
    @click.option("--age-at", help="EDTF date the age was given at.")
    @click.option("--hometown", help="A place code or name.")
    @click.option("--occupation")
    @click.option("--citizenship", "citizenships", multiple=True, help="ISO 3166 code.")
    @click.option("--resident-id", help="PRC resident ID number (confidential; check digit validated).")
    @click.option("--project", "project_name")
    @click.option("--source", "source_id", help="The source the names come from.")
    @pass_session
    @handle_errors
    def person_add(session: Session, names: tuple[str, ...], project_name: str | None, source_id: str | None,
                   **fields) -> None:
        data = PersonInput(names=[NameInput(n) for n in names], **{k: v for k, v in fields.items() if k != "citizenships"},
                           citizenships=list(fields["citizenships"]))
        click.echo(svc.add_person(session.registry, session.actor, _project(session, project_name), data, source_id))

    @person.command("edit")
    @click.argument("person_id")
    @click.option("--version", "base_version", type=int, required=True, help="The version you read (see `show`).")
    @click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE", help=f"One of: {', '.join(svc.UPDATABLE)}.")
    @pass_session
    @handle_errors
    def person_edit(session: Session, person_id: str, base_version: int, assignments: tuple[str, ...]) -> None:
        changes = {}
        for item in assignments:
            field, _, value = item.partition("=")
            changes[field] = value.split(",") if field == "citizenships" else (value or None)
        click.echo(f"version {svc.update_person(session.registry, session.actor, person_id, base_version, changes)}")

    @main.group()
    def name() -> None:
        """Names of a person."""

    @name.command("add")
    @click.argument("person_id")
    @click.argument("text")
    @click.option("--script", help="ISO 15924 (detected when not given).")
    @click.option("--language", help="BCP 47 (detected where the letters tell).")
    @click.option("--part", default="full", type=click.Choice(["full", "given", "patronymic", "surname", "alias"]))
    @click.option("--source", "source_id")
    @pass_session
    @handle_errors
    def name_add(session: Session, person_id: str, text: str, script: str | None, language: str | None, part: str,
                 source_id: str | None) -> None:
        click.echo(svc.add_name(session.registry, session.actor, person_id, NameInput(text, script, language, part), source_id))

    @main.group()
    def relation() -> None:
        """Relations between persons: `A parent B` means B is A's parent."""

    @relation.command("add")
    @click.argument("person_id")
    @click.argument("kind", type=click.Choice(["spouse", "parent", "child", "sibling", "relative", "colleague"]))
    @click.argument("other_id")
    @click.option("--source", "source_id")
    @pass_session
    @handle_errors
    def relation_add(session: Session, person_id: str, kind: str, other_id: str, source_id: str | None) -> None:
        click.echo(svc.add_relation(session.registry, session.actor, person_id, kind, other_id, source_id))

    @main.group()
    def source() -> None:
        """Sources: testimonies, articles, press releases, documents, lists."""

    @source.command("add")
    @click.option("--kind", required=True, type=click.Choice(["testimony", "news_article", "press_release", "official_document",
                                                             "leaked_list", "court_record", "petition_reply"]))
    @click.option("--title")
    @click.option("--date", help="EDTF.")
    @click.option("--language")
    @click.option("--publisher")
    @click.option("--url")
    @click.option("--text-file", type=click.File(encoding="utf-8"), help="The source's text.")
    @click.option("--project", "project_name")
    @pass_session
    @handle_errors
    def source_add(session: Session, kind: str, text_file, project_name: str | None, **fields) -> None:
        data = SourceInput(kind, text=text_file.read() if text_file else None, **fields)
        click.echo(svc.add_source(session.registry, session.actor, _project(session, project_name), data))

    @main.group()
    def testimony() -> None:
        """Testimonies: who testifies, about whom, with what consent."""

    @testimony.command("add")
    @click.option("--about", "subjects", multiple=True, required=True, help="Person id the testimony is about.")
    @click.option("--testifier", "testifier_name", help="The testifier's name (confidential unless consent is named).")
    @click.option("--testifier-id", help="The testifier's person id, when they are in the registry.")
    @click.option("--relation", type=click.Choice(["spouse", "parent", "child", "sibling", "relative", "colleague"]))
    @click.option("--medium", type=click.Choice(["video", "in_person", "phone", "written"]))
    @click.option("--consent", required=True, type=click.Choice(["named", "anonymized", "internal", "withdrawn"]))
    @click.option("--recorded-on", help="EDTF.")
    @click.option("--contacts", help="The testifier's contacts (confidential).")
    @click.option("--summary", help="What was said (internal).")
    @click.option("--source", "source_id")
    @click.option("--project", "project_name")
    @pass_session
    @handle_errors
    def testimony_add(session: Session, subjects: tuple[str, ...], testifier_id: str | None, source_id: str | None,
                      project_name: str | None, **fields) -> None:
        click.echo(svc.add_testimony(session.registry, session.actor, _project(session, project_name),
                                     TestimonyInput(**fields), list(subjects), source_id, testifier_id))

    @testimony.command("consent")
    @click.argument("testimony_id")
    @click.argument("consent", type=click.Choice(["named", "anonymized", "internal", "withdrawn"]))
    @pass_session
    @handle_errors
    def testimony_consent(session: Session, testimony_id: str, consent: str) -> None:
        svc.set_consent(session.registry, session.actor, testimony_id, consent)

    @main.group()
    def event() -> None:
        """Events: what happened to a person, when (EDTF), where."""

    @event.command("add")
    @click.argument("person_id")
    @click.argument("kind")
    @click.option("--date", help="EDTF: 2018-01, 2017-07-30, 2016~, 2017/2018.")
    @click.option("--place", help="A place code or name.")
    @click.option("--facility", help="A facility id, BFN:<id>, name, or words as the source gives them.")
    @click.option("--source", "source_id")
    @pass_session
    @handle_errors
    def event_add(session: Session, person_id: str, kind: str, date: str | None, place: str | None,
                  facility: str | None, source_id: str | None) -> None:
        click.echo(svc.add_event(session.registry, session.actor, person_id, EventInput(kind, date, place, facility), source_id))

    @main.command()
    @click.argument("person_id")
    @pass_session
    @handle_errors
    def show(session: Session, person_id: str) -> None:
        """A person as you may see them (JSON), with status and the event it comes from."""
        echo_json(person_view(session.registry, session.actor, person_id))

    @main.command("history")
    @click.argument("record_id")
    @pass_session
    @handle_errors
    def history_cmd(session: Session, record_id: str) -> None:
        """Every version of a person or testimony: who, when, what changed."""
        for entry in history(session.registry, session.actor, record_id):
            click.echo(f"{entry['seq']:>6}  {entry['at']}  {entry['actor'] or '-':<12} {entry['action']:<18} "
                       + (json_line(entry["change"]) if entry["change"] is not None else ""))


def json_line(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, default=str)
