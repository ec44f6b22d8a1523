"""Read a document — plain text, Markdown, HTML, PDF with a text layer, DOCX — into the plain text intake analyses.

`read_document` returns a `Document` whose `text` every later span indexes into, or raises `UnreadableDocument`,
whose message names the file, says why and what to do. The steps, in order:

1. The suffix picks the format; a file over MAX_FILE_BYTES, or empty or only whitespace, is refused.
2. The bytes must agree with the suffix: a PDF starts with %PDF, a DOCX is a ZIP with word/document.xml, and text
   (.txt, .md, .html) has no NUL bytes and no binary signature (PDF, ZIP, PNG, ELF…).
3. Text is decoded by its byte order mark, else as strict UTF-8, else (HTML) by the charset the page declares,
   else by charset-normalizer's guess when it has one; otherwise the file is refused.
4. Extraction: Markdown is rendered to HTML (CommonMark); HTML loses script, style, head and the like entirely,
   its blocks become lines and its paragraphs are separated by a blank line, runs of spaces collapse; PDF page
   texts are joined by a blank line; DOCX paragraphs and table rows (cells separated by tabs) follow each other
   line by line in document order.
5. Cleaning: line endings become "\\n", C0 controls other than "\\n" and "\\t" are removed, whitespace at the
   very end is stripped. Nothing else changes — no Unicode normalisation — so offsets stay stable.
6. Text that is empty (a PDF: no text layer) or longer than MAX_TEXT_CHARS is refused.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import docx
import pypdf
from bs4 import BeautifulSoup, UnusualUsageWarning
from bs4.dammit import EncodingDetector
from bs4.element import NavigableString, PageElement, PreformattedString, Tag
from docx.table import Table
from markdown_it import MarkdownIt

MAX_FILE_BYTES = 25 * 1024 * 1024  # any file larger is refused before reading
MAX_TEXT_CHARS = 1_000_000  # spaCy's default max_length; longer extracted text is refused
# A page of tiny tags costs BeautifulSoup ~120 bytes of memory per byte: 5 MB keeps a parse under 1 GB.
MAX_MARKUP_BYTES = 5 * 1024 * 1024
_MAX_UNPACKED_BYTES = 8 * MAX_FILE_BYTES  # what a DOCX (a ZIP) may unpack to: no zip bombs

_FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html",
            ".htm": "html", ".pdf": "pdf", ".docx": "docx"}
_EMPTY = "is empty: there is no text in it; check that it is the right file"

# UTF-32 before UTF-16: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_SIGNATURES = ((b"%PDF", "a PDF"), (b"PK\x03\x04", "a ZIP archive (DOCX, XLSX, ODT…)"), (b"\x89PNG", "a PNG image"),
               (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"), (b"\x7fELF", "a program (ELF)"),
               (b"\xd0\xcf\x11\xe0", "an old Office file (.doc, .xls)"), (b"\x1f\x8b", "a gzip archive"))
_ICELANDIC = frozenset("ÐÝÞðýþ")  # cp1252 reads Turkish ĞİŞğış (cp1254) as these
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f]")  # C0 controls except \t and \n (applied after \r is gone)

_DROPPED = frozenset(("script", "style", "noscript", "template", "iframe", "svg", "head"))
# Marks put around an element's text: C0 controls, which the page's own text is cleaned of, so they are ours alone.
_PARAGRAPH_MARK, _LINE_MARK = "\x1e", "\x1f"
_MARKS = (dict.fromkeys(("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "figure", "address",
                         "hr"), _PARAGRAPH_MARK)
          | dict.fromkeys(("div", "br", "li", "ul", "ol", "dl", "dt", "dd", "tr", "caption", "figcaption", "section",
                           "article", "header", "footer", "main", "nav", "aside", "details", "summary", "form",
                           "fieldset", "legend", "option"), _LINE_MARK)
          | dict.fromkeys(("td", "th"), " "))
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's whitespace; a no-break space is kept
_BREAK = re.compile(r" *[\x1e\x1f][\x1e\x1f ]*")


logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged PDF is reported once, as UnreadableDocument


class UnreadableDocument(ValueError):
    """A file intake cannot read; str() is one line that names the file and says why and what to do."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path} {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Document:
    path: Path
    format: str  # "text" | "markdown" | "html" | "pdf" | "docx"
    text: str  # the plain text that is analysed; all character offsets (spans) index into it
    sha256: str  # hex SHA-256 of the file's original bytes
    title: str | None  # HTML <title>, DOCX core title, PDF metadata title, Markdown first "# " heading


def read_document(path: Path) -> Document:
    """Read the file at `path`; one larger than MAX_FILE_BYTES is refused before it is read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableDocument(path, _too_big(size))
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise UnreadableDocument(path, f"cannot be opened ({error.strerror or error}); check the path and its "
                                       "permissions") from error
    return read_bytes(data, path)


def read_bytes(data: bytes, path: Path) -> Document:
    """Read a file's bytes already in memory; `path` gives the suffix and names the file in errors."""
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        suffix = f"the suffix {path.suffix!r}" if path.suffix else "no suffix"
        raise UnreadableDocument(path, f"has {suffix}; intake reads {', '.join(_FORMATS)}: save it as one of them")
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableDocument(path, _too_big(len(data)))
    if kind in ("html", "markdown") and len(data) > MAX_MARKUP_BYTES:
        raise UnreadableDocument(path, f"is {len(data):,} bytes of markup; intake parses at most "
                                       f"{MAX_MARKUP_BYTES // 2**20} MB of {kind.upper()} per file: split it")
    if not data.strip():
        raise UnreadableDocument(path, _EMPTY)
    try:
        raw, title = _READERS[kind](data, path)
    except UnreadableDocument:
        raise
    except Exception as error:  # a parser's failure on malformed input, whatever its type
        reason = _one_line(str(error)) or type(error).__name__
        raise UnreadableDocument(path, f"is damaged or not a valid {path.suffix.lower()} file ({reason}); check that "
                                       "it opens, or save it again") from error
    text = _clean(raw).rstrip()
    if not text:
        raise UnreadableDocument(path, "has no text layer (a scan?); run OCR first" if kind == "pdf" else _EMPTY)
    if len(text) > MAX_TEXT_CHARS:
        raise UnreadableDocument(path, f"has {len(text):,} characters of text; intake reads at most "
                                       f"{MAX_TEXT_CHARS:,} at once: split it")
    return Document(path, kind, text, hashlib.sha256(data).hexdigest(), title)


def _too_big(size: int) -> str:
    return f"is {size:,} bytes; intake reads at most {MAX_FILE_BYTES // 2**20} MB per file: split it"


def _clean(text: str) -> str:
    """Line endings become "\\n"; C0 controls other than "\\n" and "\\t" go."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _one_line(text: str | None) -> str | None:
    """`text` on one line with its whitespace collapsed; None if nothing is left."""
    return " ".join(_clean(text or "").split()) or None


def _read_text(data: bytes, path: Path) -> tuple[str, None]:
    return _decode(data, path, html=False), None


def _read_markdown(data: bytes, path: Path) -> tuple[str, str | None]:
    soup = _soup(MarkdownIt("commonmark").render(_decode(data, path, html=False)))
    heading = soup.find("h1")
    return _html_text(soup), _one_line(heading.get_text()) if heading else None


def _read_html(data: bytes, path: Path) -> tuple[str, str | None]:
    soup = _soup(_decode(data, path, html=True))
    title = soup.head.title if soup.head else None
    return _html_text(soup), _one_line(title.get_text()) if title else None


def _read_pdf(data: bytes, path: Path) -> tuple[str, str | None]:
    if not data.startswith(b"%PDF"):
        raise UnreadableDocument(path, "is not a PDF (it does not start with %PDF); check its suffix")
    with warnings.catch_warnings(action="ignore", category=pypdf.errors.PdfReadWarning):
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
            raise UnreadableDocument(path, "is protected by a password; save a copy without one first")
        pages = [page.extract_text() for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    return "\n\n".join(page.strip() for page in pages if page.strip()), _one_line(title)


def _read_docx(data: bytes, path: Path) -> tuple[str, str | None]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableDocument(path, "is not a DOCX (not a ZIP archive); save it as .docx from the word "
                                       "processor") from None
    if "word/document.xml" not in archive.namelist():
        raise UnreadableDocument(path, "is a ZIP archive but not a Word document (no word/document.xml); save it "
                                       "as .docx from the word processor")
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > _MAX_UNPACKED_BYTES:
        raise UnreadableDocument(path, f"unpacks to {unpacked:,} bytes; intake unpacks at most "
                                       f"{_MAX_UNPACKED_BYTES // 2**20} MB: save the text alone as .docx")
    document = docx.Document(io.BytesIO(data))
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            # A cell spanning columns comes once per column, as the same object: dict.fromkeys keeps it once.
            lines += ["\t".join(cell.text for cell in dict.fromkeys(row.cells)) for row in block.rows]
        else:
            lines.append(block.text)
    return "\n".join(lines), _one_line(document.core_properties.title)


_READERS = {"text": _read_text, "markdown": _read_markdown, "html": _read_html, "pdf": _read_pdf, "docx": _read_docx}


def _decode(data: bytes, path: Path, html: bool) -> str:
    """The text of the bytes: by byte order mark, strict UTF-8, a page's declared charset, or a confident guess."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding)
    binary = next((kind for signature, kind in _SIGNATURES if data.startswith(signature)), None)
    if binary or b"\0" in data:
        raise UnreadableDocument(path, f"is {binary or 'binary (it contains NUL bytes)'}, not text; give it its "
                                       "proper suffix, or save it as UTF-8 text")
    declared = EncodingDetector.find_declared_encoding(data, is_html=True) if html else None
    for encoding in ("utf-8", declared) if declared else ("utf-8",):
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        raise UnreadableDocument(path, "has an unknown encoding; save it as UTF-8")
    # Latin code pages often explain a text equally well, and charset-normalizer then takes the first (often cp1250).
    # Among equals the commonest, cp1252, wins, unless it reads Icelandic letters where cp1254 reads Turkish ones.
    tied = {match.encoding: match for match in matches
            if (match.chaos, match.coherence) == (best.chaos, best.coherence)}
    text = str(tied.get("cp1252", best))
    if "cp1252" in tied and "cp1254" in tied and not _ICELANDIC.isdisjoint(text):
        text = str(tied["cp1254"])
    return text


def _soup(markup: str) -> BeautifulSoup:
    # Warnings that markup looks like a file name or like XML are noise here: it is always a whole page.
    with warnings.catch_warnings(action="ignore", category=UnusualUsageWarning):
        return BeautifulSoup(_clean(markup), "lxml")


def _html_text(soup: BeautifulSoup) -> str:
    """The page's text as it reads: dropped elements skipped, blocks on lines of their own, paragraphs apart."""
    parts = []
    stack: list[tuple[PageElement, bool] | str] = [(soup, False)]  # nodes still to read, with "inside <pre>"; marks
    while stack:  # a loop, not recursion: pages may nest deeper than Python's stack
        item = stack.pop()
        if isinstance(item, str):  # the mark that closes an element
            parts.append(item)
            continue
        node, in_pre = item
        if isinstance(node, Tag):
            if node.name not in _DROPPED:
                mark = _MARKS.get(node.name, "")
                parts.append(mark)
                stack.append(mark)
                stack.extend((child, in_pre or node.name == "pre") for child in reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):  # text, not a comment
            text = _CONTROLS.sub("", node)
            parts.append(text.replace("\n", _LINE_MARK) if in_pre else text)
    text = _HTML_SPACE.sub(" ", "".join(parts))
    return _BREAK.sub(lambda found: "\n\n" if _PARAGRAPH_MARK in found[0] else "\n", text).strip()
