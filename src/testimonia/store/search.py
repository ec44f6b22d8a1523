"""Full-text candidate lookup, per dialect: SQLite FTS5 or a PostgreSQL stored tsvector with a GIN index.

Documents hold names as written, their folded search keys and phonetic tokens (testimonia.names:
a query in one script finds forms written in another), place and facility names, and published
source text — never a confidential value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Float, FromClause, Integer, String, column, table, text, true

# A search reads at most this many matching documents, so a query that matches much of a large registry
# answers as fast as one that matches little. A query that matches more is one to narrow (more of the
# name, a filter). At 1,000,000 persons each document read costs about 4 µs on SQLite, joined with its
# person (docs/benchmarks.md).
CANDIDATES = 500


# A query: groups that must all match; a group: alternatives of which one must match; an alternative:
# tokens that must all be in the document. A token ending in "*" matches as a prefix.
Query = list[list[list[str]]]


def _fts5_query(query: Query) -> str:
    def token(t: str) -> str:
        word = t.removesuffix("*")
        return '"' + word.replace('"', '""') + '"' + ("*" if t.endswith("*") else "")
    return " AND ".join("(" + " OR ".join("(" + " AND ".join(map(token, alt)) + ")" for alt in group) + ")"
                        for group in query)


def _tsquery(query: Query) -> str:
    def token(t: str) -> str:
        word = re.sub(r"[^\w]+", "", t.removesuffix("*"))
        return word + (":*" if t.endswith("*") else "") if word else ""
    groups = []
    for group in query:
        alternatives = [" & ".join(filter(None, map(token, alt))) for alt in group]
        alternatives = [f"({a})" for a in alternatives if a]
        if alternatives:
            groups.append("(" + " | ".join(alternatives) + ")")
    return " & ".join(groups)


def _clean(query: Query) -> Query:
    """Drop tokens without a letter or digit, then alternatives and groups left empty."""
    cleaned = []
    for group in query:
        alternatives = [[t for t in alt if re.search(r"\w", t)] for alt in group]
        alternatives = [alt for alt in alternatives if alt]
        if alternatives:
            cleaned.append(alternatives)
    return cleaned


@dataclass(frozen=True)
class Matching:
    """The documents matching a query, to join with the table whose rows they describe: `source` joins on
    `doc_id`, `where` selects the matches, `order` lists them best first. Read at most CANDIDATES rows:
    `bounded` when `source` holds no more than that already."""

    source: FromClause
    doc_id: ColumnElement
    where: ColumnElement
    order: ColumnElement
    bounded: bool


def matching_documents(dialect: str, query: Query) -> Matching | None:
    """The documents matching the query; None when it holds no word.

    SQLite: in the order they were written (the full-text row id), which FTS5 yields as it reads, so a
    search stops reading as soon as its page is full. Ranking by FTS5's bm25 would cost more than the
    rest of a search: before it ranks anything, bm25 walks every document holding each query word to
    weigh the words (about 1.2 ms of a 2.4 ms lookup at 1,000,000 persons, more for a prefix).
    PostgreSQL: ts_rank over the first CANDIDATES the index yields (a GIN index has no useful order)."""
    query = _clean(query)
    if not query:
        return None
    if dialect == "sqlite":
        fts = table("search_fts", column("rowid", Integer), column("doc_id", String))
        return Matching(fts, fts.c.doc_id, text("search_fts MATCH :q").bindparams(q=_fts5_query(query)), fts.c.rowid,
                        bounded=False)
    tsquery = _tsquery(query)
    if not tsquery:
        return None
    found = (text("SELECT doc_id, ts_rank(tsv, to_tsquery('simple', :q)) AS rank FROM search_documents "
                  "WHERE tsv @@ to_tsquery('simple', :q) LIMIT :candidates")
             .bindparams(q=tsquery, candidates=CANDIDATES)
             .columns(column("doc_id", String), column("rank", Float)).subquery("found"))
    return Matching(found, found.c.doc_id, true(), found.c.rank.desc(), bounded=True)
