"""Document readers: each format read into plain text, and every refusal naming the file and saying why.

Every file is generated here: PDFs with fpdf2 or pypdf, DOCX with python-docx.
"""

from __future__ import annotations

import hashlib
import io
import random
import zipfile
from functools import cache
from pathlib import Path

import docx
import pypdf
import pytest
from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st

from testimonia.intake import documents
from testimonia.intake.documents import MAX_FILE_BYTES, UnreadableDocument, read_bytes, read_document


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _pdf(*pages: str, title: str | None = None) -> bytes:
    """A PDF with a text layer: one page per text, in the core font Helvetica."""
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    for text in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 10, text)
    return bytes(pdf.output())


def _scanned_pdf() -> bytes:
    """A PDF whose only page holds a drawing and no text, as a scan would."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    return bytes(pdf.output())


def _encrypted_pdf(user_password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(_pdf("Behind a password.")))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    return _written(writer)


def _blank_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    return _written(writer)


def _docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Statement of a brother"
    document.add_paragraph("My brother Ali Tursun was taken in Kashgar in 2017.")
    document.add_paragraph("")
    document.add_paragraph("We have heard nothing since.")
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Detained relatives"
    for row, (name, year) in enumerate([("Ali Tursun", "2017"), ("Mehmet Tursun", "2018")], start=1):
        table.cell(row, 0).text, table.cell(row, 1).text = name, year
    document.add_paragraph("Signed, his sister.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _written(writer: pypdf.PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


# --- each format read ---------------------------------------------------------------------------------------------

def test_plain_text_is_read_as_is(tmp_path):
    data = "  Ａli was taken\tin 2017 — ﬁnally we know.\n\nNo news since.   \n\n".encode()
    document = read_document(_write(tmp_path, "note.txt", data))
    assert document.format == "text"
    assert document.text == "  Ａli was taken\tin 2017 — ﬁnally we know.\n\nNo news since."  # no NFKC, end stripped
    assert document.title is None


def test_line_endings_and_controls_are_normalised_so_offsets_are_stable(tmp_path):
    unix = read_document(_write(tmp_path, "unix.txt", b"First line.\nSecond line.\n"))
    windows = read_document(_write(tmp_path, "windows.txt", b"First line.\r\nSecond line.\r\n"))
    old_mac = read_document(_write(tmp_path, "mac.text", b"First line.\rSecond\x07 line.\x0c\r"))
    assert windows.text == unix.text == old_mac.text == "First line.\nSecond line."
    assert windows.text.index("Second") == unix.text.index("Second")


def test_sha256_is_of_the_original_bytes(tmp_path):
    data = b"Ali was taken in 2017.\r\n"
    assert read_document(_write(tmp_path, "note.txt", data)).sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(("text", "encoding"), [
    ("Его задержали в Урумчи в 2017 году. Семья не знает, где он находится.", "cp1251"),
    ("他于2017年在乌鲁木齐被拘留。家人不知道他在哪里。", "gbk"),
    ("Il a été arrêté à Ürümqi en 2017 ; sa famille n'a reçu aucune nouvelle.", "cp1252"),
    ("Kardeşim 2017 yılında Urumçi'de gözaltına alındı. Ailesi onun nerede olduğunu bilmiyor.", "cp1254"),
    ("Ali was taken in 2017 — ﬁnally we know.", "utf-16"),  # with its byte order mark
    ("Ali was taken in 2017.", "utf-8-sig"),
])
def test_legacy_encodings_are_decoded(tmp_path, text, encoding):
    assert read_document(_write(tmp_path, "note.txt", text.encode(encoding))).text == text


def test_html_keeps_the_text_and_drops_scripts_styles_and_head(tmp_path):
    page = b"""<!DOCTYPE html><html><head><title> Testimony of
      Gulbahar </title><style>p { color: red }</style><script>var hidden = 1;</script></head>
    <body><h1>Testimony</h1><p>She was   taken
    from <b>Ghulja</b> &amp; held for 2 years.</p><script>alert(1)</script><noscript>Enable JS</noscript>
    <div>First line<br>second line</div><template>template text</template><svg><text>svg text</text></svg>
    <iframe>frame text</iframe><ul><li>one</li><li>two</li></ul>
    <table><tr><th>Name</th><th>Year</th></tr><tr><td>Gulbahar</td><td>2017</td></tr></table></body></html>"""
    document = read_document(_write(tmp_path, "page.html", page))
    assert document.format == "html"
    assert document.title == "Testimony of Gulbahar"
    assert document.text == ("Testimony\n\nShe was taken from Ghulja & held for 2 years.\n\nFirst line\nsecond line\n"
                             "one\ntwo\n\nName Year\nGulbahar 2017")
    for hidden in ("alert", "color", "hidden", "Enable JS", "template text", "svg text", "frame text"):
        assert hidden not in document.text


def test_html_in_a_declared_legacy_charset(tmp_path):
    page = '<html><head><meta charset="windows-1251"><title>Показания</title></head><body><p>Он был задержан.'
    document = read_document(_write(tmp_path, "page.htm", page.encode("cp1251")))
    assert (document.title, document.text) == ("Показания", "Он был задержан.")


def test_markdown_reads_as_plain_words(tmp_path):
    source = b"# Testimony of Ali\n\nHe was **taken** in [Kashgar](https://example.org) in 2017.\r\n\r\n" \
             b"<script>alert(1)</script>\n\n- first\n- second\n"
    document = read_document(_write(tmp_path, "notes.md", source))
    assert document.format == "markdown"
    assert document.title == "Testimony of Ali"
    assert document.text == "Testimony of Ali\n\nHe was taken in Kashgar in 2017.\n\nfirst\nsecond"


def test_pdf_text_layer_pages_and_title(tmp_path):
    data = _pdf("Ali was detained in Kashgar in 2017.", "His family has had no news.", title="Report 7")
    document = read_document(_write(tmp_path, "report.pdf", data))
    assert document.format == "pdf"
    assert document.text == "Ali was detained in Kashgar in 2017.\n\nHis family has had no news."
    assert document.title == "Report 7"


def test_pdf_encrypted_with_an_empty_user_password_is_read(tmp_path):
    assert read_document(_write(tmp_path, "open.pdf", _encrypted_pdf(""))).text == "Behind a password."


def test_docx_paragraphs_and_tables_in_document_order(tmp_path):
    document = read_document(_write(tmp_path, "statement.docx", _docx()))
    assert document.format == "docx"
    assert document.title == "Statement of a brother"
    assert document.text == ("My brother Ali Tursun was taken in Kashgar in 2017.\n\nWe have heard nothing since.\n"
                             "Detained relatives\nAli Tursun\t2017\nMehmet Tursun\t2018\nSigned, his sister.")


# --- refusals -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "make", "reason"), [
    ("empty.txt", lambda: b"", "is empty"),
    ("blank.md", lambda: b" \r\n\t\n  ", "is empty"),
    ("blank.pdf", lambda: b"\n\n", "is empty"),
    ("only-script.html", lambda: b"<html><body><script>alert(1)</script></body></html>", "is empty"),
    ("image.txt", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a PNG image, not text"),
    ("report.txt", lambda: _pdf("Hello"), "is a PDF, not text"),
    ("program.txt", lambda: b"\x7fELF\x02\x01\x01", "is a program (ELF), not text"),
    ("nuls.txt", lambda: b"Ali\x00was\x00taken", "is binary (it contains NUL bytes), not text"),
    ("big.txt", lambda: b"word " * 4_000_000, "has 19,999,999 characters of text; intake reads at most 1,000,000 "
                                               "at once: split it"),
    ("noise.txt", lambda: random.Random(7).randbytes(400).translate(bytes(range(128, 256)) * 2),
     "has an unknown encoding; save it as UTF-8"),
    ("scan.pdf", _scanned_pdf, "has no text layer (a scan?); run OCR first"),
    ("blank-page.pdf", _blank_pdf, "has no text layer"),
    ("locked.pdf", lambda: _encrypted_pdf("secret"), "is protected by a password"),
    ("fake.pdf", lambda: b"Not a PDF at all", "is not a PDF (it does not start with %PDF)"),
    ("corrupt.pdf", lambda: _pdf("Hello")[:300], "is damaged or not a valid .pdf file ("),
    ("letter.docx", lambda: b"Dear family, this is plain text.", "is not a DOCX (not a ZIP archive)"),
    ("sheet.docx", lambda: _zip({"xl/workbook.xml": "<workbook/>"}), "is a ZIP archive but not a Word document"),
    ("broken.docx", lambda: _zip({"word/document.xml": "<not xml"}), "is damaged or not a valid .docx file ("),
    ("notes.rtf", lambda: b"{\\rtf1 hello}", "has the suffix '.rtf'; intake reads .txt, .text, .md, .markdown, "
                                             ".html, .htm, .pdf, .docx: save it as one of them"),
    ("README", lambda: b"hello", "has no suffix; intake reads .txt"),
])
def test_refusals_name_the_file_and_say_why(tmp_path, name, make, reason):
    path = _write(tmp_path, name, make())
    with pytest.raises(UnreadableDocument) as caught:
        read_document(path)
    message = str(caught.value)
    assert message.startswith(f"{path} ")
    assert reason in message
    assert "\n" not in message
    assert caught.value.path == path and caught.value.reason in message


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no time spent writing
    monkeypatch.setattr(Path, "open", lambda *args, **kwargs: pytest.fail("a file over the limit was opened"))
    with pytest.raises(UnreadableDocument, match=r"huge\.txt is 26,214,401 bytes; intake reads at most 25 MB"):
        read_document(path)


def test_a_docx_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "_MAX_UNPACKED_BYTES", 10_000)
    path = _write(tmp_path, "bomb.docx", _zip({"word/document.xml": "<w/>", "padding.txt": " " * 10_000}))
    with pytest.raises(UnreadableDocument, match=r"bomb\.docx unpacks to 10,004 bytes; intake unpacks at most"):
        read_document(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(UnreadableDocument, match=r"missing\.txt cannot be opened \(No such file or directory\)"):
        read_document(tmp_path / "missing.txt")


# --- any bytes at all -----------------------------------------------------------------------------------------------

@cache
def _seeds() -> dict[str, bytes]:
    return {"nothing": b"", "pdf": _pdf("Ali was taken.", title="T"), "docx": _docx(),
            "html": b"<html><head><title>T</title></head><body><p>Ali <b>was</b> taken.</p></body></html>"}


@settings(deadline=None, max_examples=300)
@given(seed=st.sampled_from(["nothing", "pdf", "docx", "html"]), noise=st.binary(max_size=300),
       at=st.floats(0, 1), suffix=st.sampled_from([".txt", ".md", ".html", ".pdf", ".docx"]))
def test_any_bytes_are_read_or_refused_with_unreadable_document(seed, noise, at, suffix):
    """Arbitrary bytes, or a valid file with a stretch overwritten by noise: a Document or UnreadableDocument."""
    base = _seeds()[seed]
    cut = int(len(base) * at)
    data = base[:cut] + noise + base[cut + len(noise):]
    try:
        document = read_bytes(data, Path("fuzz" + suffix))
    except UnreadableDocument as error:
        assert str(error).startswith("fuzz" + suffix + " ")
    else:
        assert document.text.strip() and "\r" not in document.text


def test_markup_over_its_own_limit_is_refused_before_parsing():
    page = b"<p>x</p>" * (documents.MAX_MARKUP_BYTES // 8 + 1)
    with pytest.raises(UnreadableDocument) as refused:
        read_bytes(page, Path("huge.html"))
    assert str(refused.value).startswith("huge.html is ") and "split it" in str(refused.value)
