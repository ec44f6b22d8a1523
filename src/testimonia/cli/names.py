"""`testimonia names score|explain|keys|learn`: the names capability on the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..names import THRESHOLD, Comparison, compare, name_keys, prepare
from ..names.variants import variants_line
from ..services.name_variants import VARIANTS_FILE, folder_variants

_VARIANTS = "testimonia.names.variants"


def _explain(result: Comparison) -> str:
    lines = [f"score {result.score:.4f} ({'same' if result.same else 'different'} at threshold {THRESHOLD})"]
    for match in result.matches:
        lines.append(f"  {match.a} ~ {match.b}: {match.similarity:.3f} (read {match.key_a} ~ {match.key_b})")
    for text in result.unpaired_a + result.unpaired_b:
        lines.append(f"  {text}: no counterpart")
    lines.extend(f"  {note}" for note in result.notes)
    return "\n".join(lines)


def register(main: click.Group) -> None:
    @main.group()
    @click.option("--variants", "variants_file", type=click.Path(dir_okay=False, path_type=Path),
                  help="A file of confirmed spellings (tab-separated pairs) to use as well.")
    @click.pass_context
    def names(ctx: click.Context, variants_file: Path | None) -> None:
        """Compare names across scripts (Latin, Cyrillic, Arabic, Chinese characters, pinyin).

        Confirmed spellings in the data folder's name_variants.tsv are used when it exists.
        """
        try:
            ctx.meta[_VARIANTS] = folder_variants(ctx.obj.folder, variants_file)
        except ValueError as error:
            raise click.ClickException(str(error)) from None

    @names.command()
    @click.pass_context
    def score(ctx: click.Context) -> None:
        """Score tab-separated pairs from standard input: prints `score<TAB>same|different` per line."""
        variants = ctx.meta[_VARIANTS]
        for number, line in enumerate(sys.stdin, start=1):
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) != 2:
                click.echo(f"line {number}: expected two names separated by one tab, got {len(fields)} field(s)",
                           err=True)
                click.echo("0\tdifferent")
                continue
            result = compare(prepare(fields[0], variants), prepare(fields[1], variants))
            click.echo(f"{result.score:.4f}\t{'same' if result.same else 'different'}")

    @names.command()
    @click.argument("a")
    @click.argument("b")
    @click.pass_context
    def explain(ctx: click.Context, a: str, b: str) -> None:
        """Explain the score of names A and B: which parts matched, through which readings."""
        variants = ctx.meta[_VARIANTS]
        click.echo(_explain(compare(prepare(a, variants), prepare(b, variants))))

    @names.command()
    @click.argument("name")
    @click.pass_context
    def keys(ctx: click.Context, name: str) -> None:
        """Print the parts, readings, phonetic keys and blocking keys derived from NAME."""
        prepared = prepare(name, ctx.meta[_VARIANTS])
        for part in prepared.parts:
            flags = " (honorific)" if part.optional else " (initial)" if part.initial else ""
            click.echo(f"part {part.text} [{part.script}]{flags}")
            click.echo(f"  readings: {', '.join(part.readings)}")
            click.echo(f"  phonetic: {', '.join(part.keys)}")
        click.echo(f"blocking keys: {', '.join(sorted(name_keys(prepared)))}")

    @names.command()
    @click.argument("a")
    @click.argument("b")
    @click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path),
                  help=f"The variants file to add to (default: the data folder's {VARIANTS_FILE}).")
    @click.pass_context
    def learn(ctx: click.Context, a: str, b: str, path: Path | None) -> None:
        """Record that A and B are one name spelled two ways (part by part); used from then on."""
        path = path or ctx.obj.folder / VARIANTS_FILE
        if path.parent and not path.parent.is_dir():
            raise click.ClickException(f"{path.parent} is not a folder (give --data or --file)")
        try:
            line = variants_line(a, b)
        except ValueError as error:
            raise click.ClickException(str(error)) from None
        variants = ctx.meta[_VARIANTS]
        before = compare(prepare(a, variants), prepare(b, variants)).score
        with path.open("a", encoding="utf-8") as out:
            out.write(line)
        click.echo(f"recorded in {path}: {a} = {b} (scored {before:.4f} before)")
