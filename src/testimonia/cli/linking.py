"""`testimonia link`, `matches`, `match decide`, `merge`, `unmerge`: find and review the same person twice."""

from __future__ import annotations

import sys

import click
from tqdm import tqdm

from ..services import linking, merging
from .common import Session, echo_json, handle_errors, pass_session


class _Bars:
    """One progress bar per stage on stderr, shown once a stage lasts over a second."""

    def __init__(self) -> None:
        self.bars: list[tqdm] = []

    def __call__(self, stage: str, total: int):
        bar = tqdm(total=total, desc=stage, file=sys.stderr, delay=1, leave=False)
        self.bars.append(bar)
        return lambda: bar.update(1)

    def close(self) -> None:
        for bar in self.bars:
            bar.close()


def _print_pair(pair: dict) -> None:
    click.echo(f"  {pair['a']} {pair['name_a'] or '(no name)'}  ~  {pair['b']} {pair['name_b'] or '(no name)'}"
               f"   p={pair['probability']:.3f}" + (f"   earlier: {pair['decision']}" if pair["decision"] else ""))
    for reason in pair["reasons"]:
        if reason["verdict"] != "missing":
            click.echo(f"      {reason['field']:<11} {reason['level']:<28} {reason['weight']:+.1f}")
    for new in pair["new"]:
        click.echo(f"      new since the decision: {new}")


def register(main: click.Group) -> None:
    @main.command("link")
    @click.option("--changed", "changed_only", is_flag=True,
                  help="Only pairs with a person added or changed since the last finished run.")
    @click.option("--workers", type=click.IntRange(min=1), default=None,
                  help="Processes scoring candidate pairs  [default: one per core]")
    @pass_session
    @handle_errors
    def link(session: Session, changed_only: bool, workers: int | None) -> None:
        """Compare the registry's persons and propose matches for review (resumes an interrupted run)."""
        bars = _Bars()
        try:
            report = linking.run(session.registry, session.actor, changed_only=changed_only, progress=bars,
                                 workers=workers)
        finally:
            bars.close()
        blocking = report.blocking
        click.echo(f"{'resumed' if report.resumed else 'run'} {report.run_id}: {report.persons:,} persons "
                   f"({report.changed:,} new or changed); {report.proposed:,} pairs proposed in "
                   f"{report.clusters:,} clusters; {report.held_by_decisions:,} held back by reviewers' decisions")
        if blocking.keys_skipped:
            click.echo(f"skipped {blocking.keys_skipped:,} name keys shared by too many persons to compare all pairs "
                       f"(largest: {blocking.largest_skipped[0][0]:,} persons); those persons were compared "
                       "through their other keys", err=True)
        if blocking.persons_without_names or blocking.persons_without_keys:
            click.echo(f"{blocking.persons_without_names:,} persons have no name and "
                       f"{blocking.persons_without_keys:,} only names too common to block on, even with a birth "
                       "year or county: they were compared "
                       "only by resident ID number, or by hometown county and birth year", err=True)

    @main.command("matches")
    @click.option("--all", "include_decided", is_flag=True, help="Also pairs already decided.")
    @click.option("--limit", type=int, default=50, show_default=True)
    @click.option("--json", "as_json", is_flag=True)
    @pass_session
    @handle_errors
    def matches(session: Session, include_decided: bool, limit: int, as_json: bool) -> None:
        """The review queue: proposed pairs, grouped by cluster, with the reasons."""
        groups = linking.queue(session.registry, session.actor, include_decided=include_decided, limit=limit)
        if as_json:
            echo_json(groups)
            return
        if not groups:
            click.echo("no matches waiting for review")
        for group in groups:
            size = len(group["persons"])
            click.echo(f"cluster {group['cluster']} ({size} persons)" if size > 2 else "pair")
            for pair in group["pairs"]:
                _print_pair(pair)

    @main.group("match")
    def match() -> None:
        """Decide on a proposed match."""

    @match.command("decide")
    @click.argument("person_a")
    @click.argument("person_b")
    @click.argument("decision", type=click.Choice(linking.DECISIONS))
    @click.option("--reason", help="Why (kept in the decision log).")
    @pass_session
    @handle_errors
    def decide(session: Session, person_a: str, person_b: str, decision: str, reason: str | None) -> None:
        click.echo(linking.decide(session.registry, session.actor, person_a, person_b, decision, reason))

    @main.command("merge")
    @click.argument("person_ids", nargs=-1, required=True)
    @click.option("--reason")
    @pass_session
    @handle_errors
    def merge(session: Session, person_ids: tuple[str, ...], reason: str | None) -> None:
        """Merge persons into the first one given (undo with `unmerge`)."""
        merge_id = merging.merge(session.registry, session.actor, list(person_ids), reason)
        click.echo(f"{merge_id}: merged {', '.join(person_ids[1:])} into {person_ids[0]}")

    @main.command("unmerge")
    @click.argument("merge_id")
    @pass_session
    @handle_errors
    def unmerge(session: Session, merge_id: str) -> None:
        """Undo a merge: every name, event, relation and testimony back to the person it came with."""
        restored = merging.unmerge(session.registry, session.actor, merge_id)
        click.echo(f"restored {', '.join(restored)}")
