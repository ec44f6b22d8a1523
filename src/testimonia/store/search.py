"""Full-text candidate lookup, per dialect: SQLite FTS5 or a PostgreSQL stored tsvector with a GIN index.

Documents hold names as written, their folded search keys (and, once the names capability
provides them, cross-script keys), place and facility names, and published source text —
never a confidential value.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

LIMIT = 500


def _fts5_query(tokens: list[str]) -> str:
    quoted = ['"' + t.replace('"', '""') + '"' + ("*" if len(t) >= 3 else "") for t in tokens]
    return " AND ".join(quoted)


def matching_documents(conn: Connection, tokens: list[str], kind: str = "person", limit: int = LIMIT) -> dict[str, float]:
    """doc_id → relevance (higher is better) for documents containing every token (prefixes allowed)."""
    tokens = [t for t in tokens if re.search(r"\w", t)]
    if not tokens:
        return {}
    prefix = {"person": "p_", "source": "s_"}[kind]  # ids carry their record type
    if conn.dialect.name == "sqlite":
        rows = conn.execute(text(
            "SELECT doc_id, bm25(search_fts) AS rank FROM search_fts WHERE search_fts MATCH :q "
            "ORDER BY rank LIMIT :limit"), {"q": _fts5_query(tokens), "limit": limit})
        return {doc_id: -rank for doc_id, rank in rows if doc_id.startswith(prefix)}
    query = " & ".join(w + ":*" for t in tokens if (w := re.sub(r"[^\w]+", "", t)))
    if not query:
        return {}
    rows = conn.execute(text(
        "SELECT doc_id, ts_rank(tsv, to_tsquery('simple', :q)) AS rank "
        "FROM search_documents WHERE tsv @@ to_tsquery('simple', :q) "
        "ORDER BY rank DESC LIMIT :limit"), {"q": query, "limit": limit})
    return {doc_id: float(rank) + 0.01 for doc_id, rank in rows if doc_id.startswith(prefix)}
