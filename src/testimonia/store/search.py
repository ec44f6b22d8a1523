"""Full-text candidate lookup, per dialect: SQLite FTS5 or a PostgreSQL stored tsvector with a GIN index.

Documents hold names as written, their folded search keys and phonetic tokens (testimonia.names:
a query in one script finds forms written in another), place and facility names, and published
source text — never a confidential value.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

LIMIT = 500
# Ranking is bounded: relevance is computed for at most this many matching documents (the first
# ones the index yields), so a query that matches much of a large registry answers as fast as one
# that matches little. A query that matches more is one to narrow (more of the name, a filter).
CANDIDATES = 2000


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


def matching_documents(conn: Connection, query: Query, kind: str = "person", limit: int = LIMIT) -> dict[str, float]:
    """doc_id → relevance (higher is better) for documents matching the query (see `Query`)."""
    query = _clean(query)
    if not query:
        return {}
    prefix = {"person": "p_", "source": "s_"}[kind]  # ids carry their record type
    if conn.dialect.name == "sqlite":
        rows = conn.execute(text(
            "SELECT doc_id, -bm25(search_fts) FROM search_fts WHERE search_fts MATCH :q LIMIT :candidates"),
            {"q": _fts5_query(query), "candidates": max(limit, CANDIDATES)})
    else:
        tsquery = _tsquery(query)
        if not tsquery:
            return {}
        rows = conn.execute(text(
            "SELECT doc_id, ts_rank(tsv, to_tsquery('simple', :q)) + 0.01 FROM "
            "(SELECT doc_id, tsv FROM search_documents WHERE tsv @@ to_tsquery('simple', :q) LIMIT :candidates) AS found"),
            {"q": tsquery, "candidates": max(limit, CANDIDATES)})
    ranked = sorted(((doc_id, float(rank)) for doc_id, rank in rows if doc_id.startswith(prefix)),
                    key=lambda item: -item[1])
    return dict(ranked[:limit])
