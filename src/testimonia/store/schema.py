"""The registry's tables (SQLAlchemy Core). Alembic migrations in store/migrations create them.

Conventions: ids are random strings with a type prefix (`p_…` a person), so they cannot be guessed;
columns ending in `_enc` hold ciphertext under the data key named by the row's `key_id`;
`*_blind` columns hold a keyed blind index (HMAC) so a confidential value can be looked up
without storing it in plaintext. Nothing is deleted in place: rows carry `version`, and every
change is an audit entry that holds what changed.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(32)


def _stamps() -> list[Column]:
    return [
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("created_by", ID, nullable=True),
    ]


meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

projects = Table(
    "projects",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    *_stamps(),
)

users = Table(
    "users",
    metadata,
    Column("id", ID, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(20), nullable=False),
    Column("active", Integer, nullable=False, default=1),
    *_stamps(),
)

memberships = Table(
    "memberships",
    metadata,
    Column("user_id", ID, ForeignKey("users.id"), primary_key=True),
    Column("project_id", ID, ForeignKey("projects.id"), primary_key=True),
)

data_keys = Table(
    "data_keys",
    metadata,
    Column("id", ID, primary_key=True),
    Column("owner", String(40), nullable=False),  # the record it protects, e.g. "t_…"
    Column("wrapped", LargeBinary, nullable=True),  # NULL once destroyed
    Column("master_id", String(32), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("destroyed_at", DateTime(timezone=True), nullable=True),
    Column("destroyed_by", ID, nullable=True),
)

places = Table(
    "places",
    metadata,
    Column("id", ID, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),  # country, region, prefecture, county, city, township…
    Column("parent_code", String(40), nullable=True, index=True),
    Column("name", String(200), nullable=False),  # Chinese for Xinjiang, English elsewhere
    Column("name_en", String(200), nullable=True),
)

place_aliases = Table(
    "place_aliases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("place_code", String(40), ForeignKey("places.code"), nullable=False, index=True),
    Column("text", String(200), nullable=False),
    Column("key", String(200), nullable=False, index=True),
    Column("script", String(4), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("source", Text, nullable=True),
)

facilities = Table(
    "facilities",
    metadata,
    Column("id", ID, primary_key=True),
    Column("source_ref", String(40), nullable=True),  # the id in the source list
    Column("name", String(200), nullable=False),
    Column("type", String(30), nullable=False),
    Column("source_type", String(60), nullable=True),  # the source's own word for its type
    Column("town", String(200), nullable=True),
    Column("prefecture", String(100), nullable=True),
    Column("place_code", String(40), nullable=True, index=True),
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("corroboration", String(100), nullable=True),
    Column("credit", Text, nullable=True),
)

persons = Table(
    "persons",
    metadata,
    Column("id", ID, primary_key=True),
    Column("project_id", ID, ForeignKey("projects.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False, default=1),
    Column("sex", String(10), nullable=True),
    Column("ethnicity", String(20), nullable=True),
    Column("birth_date", String(40), nullable=True),
    Column("age_years", Integer, nullable=True),
    Column("age_at", String(40), nullable=True),
    Column("hometown_code", String(40), nullable=True, index=True),
    Column("occupation", String(200), nullable=True),
    Column("citizenships", String(100), nullable=True),  # comma-separated ISO 3166 codes
    Column("health", Text, nullable=True),
    Column("key_id", ID, ForeignKey("data_keys.id"), nullable=True),  # made when a confidential value is first stored
    Column("resident_id_enc", LargeBinary, nullable=True),
    Column("resident_id_blind", String(64), nullable=True, index=True),
    Column("notes_enc", LargeBinary, nullable=True),
    Column("status", String(30), nullable=True, index=True),  # derived, cached for search
    Column("status_event_id", ID, nullable=True),
    Column("merged_into", ID, nullable=True),
    Column("hidden", Integer, nullable=False, default=0),  # 1: known only from withdrawn testimonies (derived)
    *_stamps(),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # SQLite: search joins its full-text matches with persons by id and reads only these columns, so the
    # join is one seek in this index instead of two (the id's index, then the row). Migration 0006.
    Index("ix_persons_search", "id", "merged_into", "project_id", "hidden", "status", "ethnicity", "sex",
          "hometown_code").ddl_if(dialect="sqlite"),
)

sources = Table(
    "sources",
    metadata,
    Column("id", ID, primary_key=True),
    Column("project_id", ID, ForeignKey("projects.id"), nullable=False, index=True),
    Column("kind", String(30), nullable=False),
    Column("title", Text, nullable=True),
    Column("date", String(40), nullable=True),
    Column("language", String(20), nullable=True),
    Column("publisher", String(200), nullable=True),
    Column("url", Text, nullable=True),
    Column("text", Text, nullable=True),
    *_stamps(),
)

names = Table(
    "names",
    metadata,
    Column("id", ID, primary_key=True),
    Column("person_id", ID, ForeignKey("persons.id"), nullable=False),
    Column("text", String(500), nullable=False),
    Column("script", String(4), nullable=False),
    Column("language", String(20), nullable=True),
    Column("part", String(20), nullable=False, default="full"),
    Column("position", Integer, nullable=True),  # order the names were given in for the person
    Column("source_id", ID, ForeignKey("sources.id"), nullable=True),
    *_stamps(),
    # a person's names with what listing them needs (the source, for the withdrawal check): read from
    # the index alone (migration 0006)
    Index("ix_names_person_id", "person_id", "source_id", "text"),
)

name_keys = Table(
    "name_keys",
    metadata,
    Column("key", String(200), nullable=False),
    Column("person_id", ID, ForeignKey("persons.id"), nullable=False),
    Column("name_id", ID, ForeignKey("names.id"), nullable=False),
    Index("ix_name_keys_key_person", "key", "person_id"),
)

relations = Table(
    "relations",
    metadata,
    Column("id", ID, primary_key=True),
    Column("person_id", ID, ForeignKey("persons.id"), nullable=False, index=True),
    Column("type", String(20), nullable=False),
    Column("other_id", ID, ForeignKey("persons.id"), nullable=False, index=True),
    Column("source_id", ID, ForeignKey("sources.id"), nullable=True),
    *_stamps(),
)

WITHDRAWN = text("consent = 'withdrawn'")

testimonies = Table(
    "testimonies",
    metadata,
    Column("id", ID, primary_key=True),
    Column("project_id", ID, ForeignKey("projects.id"), nullable=False, index=True),
    Column("source_id", ID, ForeignKey("sources.id"), nullable=False, index=True),
    Column("testifier_id", ID, ForeignKey("persons.id"), nullable=True),
    Column("relation", String(20), nullable=True),
    Column("medium", String(20), nullable=True),
    Column("recorded_by", ID, ForeignKey("users.id"), nullable=True, index=True),
    Column("recorded_on", String(40), nullable=True),
    Column("consent", String(20), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("key_id", ID, ForeignKey("data_keys.id"), nullable=False),
    Column("testifier_name_enc", LargeBinary, nullable=True),
    Column("contacts_enc", LargeBinary, nullable=True),
    Column("summary_enc", LargeBinary, nullable=True),
    Column("notes_enc", LargeBinary, nullable=True),
    Column("erased_at", DateTime(timezone=True), nullable=True),
    *_stamps(),
    # only testimonies with a testifier: most have none, and a full index told SQLite's planner that a
    # lookup by testifier returns them all (migration 0005)
    Index("ix_testimonies_testifier_id", "testifier_id", sqlite_where=text("testifier_id IS NOT NULL"),
          postgresql_where=text("testifier_id IS NOT NULL")),
    # the sources of withdrawn testimonies (visibility.not_withdrawn looks one up per row it reads,
    # outside_withdrawn reads them all once per statement): a small index whose entry alone answers,
    # where the full one needs each testimony's row
    Index("ix_testimonies_withdrawn_source", "source_id", sqlite_where=WITHDRAWN, postgresql_where=WITHDRAWN),
)

testimony_subjects = Table(
    "testimony_subjects",
    metadata,
    Column("testimony_id", ID, ForeignKey("testimonies.id"), primary_key=True),
    Column("person_id", ID, ForeignKey("persons.id"), primary_key=True, index=True),
)

events = Table(
    "events",
    metadata,
    Column("id", ID, primary_key=True),
    Column("person_id", ID, ForeignKey("persons.id"), nullable=False, index=True),
    Column("type", String(30), nullable=False),
    Column("date", String(40), nullable=True),
    Column("date_earliest", Date, nullable=True),
    Column("date_latest", Date, nullable=True),
    Column("place_code", String(40), nullable=True, index=True),
    Column("facility_id", ID, ForeignKey("facilities.id"), nullable=True, index=True),
    Column("facility_text", String(300), nullable=True),  # as the source words it
    Column("source_id", ID, ForeignKey("sources.id"), nullable=True, index=True),
    Column("source_order", Integer, nullable=True),
    Column("span_start", Integer, nullable=True),
    Column("span_end", Integer, nullable=True),
    Column("confidence", Float, nullable=True),
    *_stamps(),
)

evidence = Table(
    "evidence",
    metadata,
    Column("id", ID, primary_key=True),
    Column("project_id", ID, ForeignKey("projects.id"), nullable=False, index=True),
    Column("testimony_id", ID, ForeignKey("testimonies.id"), nullable=True, index=True),
    Column("person_id", ID, ForeignKey("persons.id"), nullable=True, index=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size", Integer, nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("key_id", ID, ForeignKey("data_keys.id"), nullable=False),
    Column("filename_enc", LargeBinary, nullable=True),
    *_stamps(),
)

custody = Table(
    "custody",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("evidence_id", ID, ForeignKey("evidence.id"), nullable=False, index=True),
    Column("action", String(30), nullable=False),  # added, opened, exported, published_copy
    Column("actor", ID, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("detail", Text, nullable=True),
)

petitions = Table(
    "petitions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("project_id", ID, ForeignKey("projects.id"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("addressed_to", Text, nullable=False),
    Column("channel", String(100), nullable=True),
    Column("sent_on", String(40), nullable=True),
    Column("sent_by", Text, nullable=True),
    Column("text", Text, nullable=True),
    *_stamps(),
)

petition_persons = Table(
    "petition_persons",
    metadata,
    Column("petition_id", ID, ForeignKey("petitions.id"), primary_key=True),
    Column("person_id", ID, ForeignKey("persons.id"), primary_key=True, index=True),
)

petition_answers = Table(
    "petition_answers",
    metadata,
    Column("id", ID, primary_key=True),
    Column("petition_id", ID, ForeignKey("petitions.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("received_on", String(40), nullable=True),
    Column("note", Text, nullable=True),
    *_stamps(),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(100), nullable=True),
    Column("action", String(40), nullable=False),
    Column("entity", String(40), nullable=True, index=True),
    Column("parent_seq", Integer, nullable=True),
    Column("change", Text, nullable=True),  # canonical JSON; confidential values as ciphertext
    Column("mac", String(64), nullable=False),
)

backups = Table(
    "backups",
    metadata,
    Column("id", ID, primary_key=True),
    Column("path", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by", ID, nullable=True),
)

search_documents = Table(
    "search_documents",
    metadata,
    Column("doc_id", ID, primary_key=True),  # a person's or a published source's id
    Column("kind", String(10), nullable=False),  # person | source
    Column("project_id", ID, nullable=False, index=True),
    Column("content", Text, nullable=False),
)

# --- linking (services/linking.py, docs/linking.md) ---------------------------------------------

link_runs = Table(
    "link_runs",
    metadata,
    Column("id", ID, primary_key=True),
    Column("state", String(10), nullable=False),  # running | done | failed
    Column("scope", String(10), nullable=False),  # all | changed (persons added or changed since the last run)
    Column("registry_fingerprint", String(64), nullable=False),  # what was read: a killed run resumes only on it
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("created_by", ID, nullable=True),
    Column("report", Text, nullable=True),  # JSON: counts, skipped keys and persons and why, timings
)

match_proposals = Table(
    "match_proposals",
    metadata,
    Column("id", ID, primary_key=True),
    Column("run_id", ID, ForeignKey("link_runs.id"), nullable=False, index=True),
    Column("person_a", ID, ForeignKey("persons.id"), nullable=False),  # person_a < person_b
    Column("person_b", ID, ForeignKey("persons.id"), nullable=False, index=True),
    Column("probability", Float, nullable=False),
    Column("weight", Float, nullable=False),
    Column("cluster", String(64), nullable=True, index=True),  # run id:cluster, when both persons fall in one
    Column("evidence", String(64), nullable=False),  # fingerprint of both persons' compared fields
    Column("reasons", Text, nullable=False),  # JSON: per field, its level, agreement and weight
    Column("features", Text, nullable=False),  # JSON: the compared fields of both (to say what is new)
    Index("ix_match_proposals_pair", "person_a", "person_b"),
)

match_decisions = Table(
    "match_decisions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("person_a", ID, ForeignKey("persons.id"), nullable=False),
    Column("person_b", ID, ForeignKey("persons.id"), nullable=False),
    Column("decision", String(10), nullable=False),  # same | not_same | unsure
    Column("evidence", String(64), nullable=False),  # the proposal's evidence when decided
    Column("features", Text, nullable=True),  # JSON, as in match_proposals
    Column("reason", Text, nullable=True),
    *_stamps(),
    Index("ix_match_decisions_pair", "person_a", "person_b"),
)

merges = Table(
    "merges",
    metadata,
    Column("id", ID, primary_key=True),
    Column("survivor_id", ID, ForeignKey("persons.id"), nullable=False, index=True),
    Column("absorbed", Text, nullable=False),  # JSON list of person ids
    Column("moved", Text, nullable=False),  # JSON: table -> the rows re-pointed, to put them back
    Column("filled", Text, nullable=False),  # JSON: survivor fields filled from the absorbed, with old values
    *_stamps(),
    Column("undone_at", DateTime(timezone=True), nullable=True),
    Column("undone_by", ID, nullable=True),
)

# --- intake drafts (services/drafts.py) ---------------------------------------------------------

drafts = Table(
    "drafts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("project_id", ID, ForeignKey("projects.id"), nullable=False, index=True),
    Column("file", Text, nullable=False),  # the file name as given to intake
    Column("sha256", String(64), nullable=False),  # of the original bytes: a re-run skips what is drafted
    Column("format", String(20), nullable=False),  # txt, md, html, pdf, docx…
    Column("title", Text, nullable=True),
    Column("date", String(40), nullable=True),  # EDTF, the document's date
    Column("language", String(20), nullable=True),
    Column("kind", String(30), nullable=False),  # the kind of Source a review creates
    Column("text", Text, nullable=False),  # internal: the spans of the draft are offsets into it
    Column("draft", Text, nullable=False),  # JSON in the draft schema (persons, relations, events…)
    Column("persons", Integer, nullable=False),
    Column("status", String(10), nullable=False, index=True),  # pending | reviewed | rejected
    *_stamps(),
    Column("reviewed_at", DateTime(timezone=True), nullable=True),
    Column("reviewed_by", ID, nullable=True),
    Column("source_id", ID, ForeignKey("sources.id"), nullable=True),  # the Source its review created
    UniqueConstraint("project_id", "sha256"),
)

draft_reviews = Table(
    "draft_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # the log's order
    Column("draft_id", ID, ForeignKey("drafts.id"), nullable=False, index=True),
    Column("item", String(100), nullable=False),  # "p1", "p1.events[2]", "p1.relations[0]"
    Column("decision", String(10), nullable=False),  # accept | edit | reject | match
    Column("value", Text, nullable=True),  # JSON: the edited values, or the matched person id
    Column("created", Text, nullable=True),  # JSON list of the registry ids the item became
    *_stamps(),
)

# --- signing in (services/signin.py) ------------------------------------------------------------------

sign_in_state = Table(  # one row per user who has failed to sign in or enrolled a second factor
    "sign_in_state",
    metadata,
    Column("user_id", ID, ForeignKey("users.id"), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),  # consecutive wrong passwords or codes
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("totp_key_id", ID, nullable=True),  # data key sealing the TOTP secret
    Column("totp_secret_enc", LargeBinary, nullable=True),
    Column("totp_confirmed_at", DateTime(timezone=True), nullable=True),
    Column("last_totp_step", Integer, nullable=True),  # a code is accepted once
)

role_policies = Table(  # what an admin requires of a role at sign-in
    "role_policies",
    metadata,
    Column("role", String(20), primary_key=True),
    Column("require_totp", Integer, nullable=False, default=0),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", ID, nullable=True),
)

web_sessions = Table(  # signed-in browsers; the cookie holds a random token, the table its hash
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", ID, ForeignKey("users.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("second_factor", Integer, nullable=False, default=0),  # the TOTP code was given
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(  # bearer tokens for scripts; only the hash is kept
    "api_tokens",
    metadata,
    Column("id", ID, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ID, ForeignKey("users.id"), nullable=False, index=True),
    Column("label", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

UniqueConstraint(place_aliases.c.place_code, place_aliases.c.text, place_aliases.c.kind)
