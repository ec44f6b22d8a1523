"""Full-text candidate lookup, per dialect: SQLite FTS5 or a PostgreSQL stored tsvector with a GIN index.

Documents hold names as written, their folded search keys and phonetic tokens (testimonia.names:
a query in one script finds forms written in another), place and facility names, and published
source text — never a confidential value.
"""

from __future__ import annotations

import re

from sqlalchemy import Float, String, column, text
from sqlalchemy.sql.selectable import TextualSelect

# Ranking is bounded: relevance is computed for at most this many matching documents (the first
# ones the index yields), so a query that matches much of a large registry answers as fast as one
# that matches little. A query that matches more is one to narrow (more of the name, a filter): for
# a lone common given name, relevance barely tells its bearers apart anyway. At 1,000,000 persons
# each candidate costs about 7 µs to rank and join (docs/benchmarks.md).
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


def candidate_documents(dialect: str, query: Query) -> TextualSelect | None:
    """A subquery `(doc_id, rank)` of the first CANDIDATES documents matching the query, with their
    relevance (higher is better), to join with the tables whose rows the documents describe; None
    when the query holds no word."""
    query = _clean(query)
    if not query:
        return None
    if dialect == "sqlite":
        clause = text("SELECT doc_id, -bm25(search_fts) AS rank FROM search_fts "
                      "WHERE search_fts MATCH :q LIMIT :candidates").bindparams(q=_fts5_query(query))
    else:
        tsquery = _tsquery(query)
        if not tsquery:
            return None
        clause = text("SELECT doc_id, ts_rank(tsv, to_tsquery('simple', :q)) + 0.01 AS rank FROM search_documents "
                      "WHERE tsv @@ to_tsquery('simple', :q) LIMIT :candidates").bindparams(q=tsquery)
    return clause.bindparams(candidates=CANDIDATES).columns(column("doc_id", String), column("rank", Float))
