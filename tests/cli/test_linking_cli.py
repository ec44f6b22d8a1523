"""`testimonia link`, `matches`, `match decide`, `merge`, `unmerge` end to end."""

import json

from tests.cli.test_cli import run


def test_link_review_merge_unmerge(tmp_path):
    folder = str(tmp_path / "reg")
    run("init", folder)
    base = ["--data", folder, "--user", "admin"]
    first = run(*base, "person", "add", "--name", "Serikzhan Bilash", "--sex", "male", "--birth-date", "1974").output.strip()
    second = run(*base, "person", "add", "--name", "Серикжан Билаш", "--sex", "male", "--birth-date", "1974").output.strip()
    other = run(*base, "person", "add", "--name", "Gulnar Omar").output.strip()
    assert run(*base, "link", "--workers", "0", ok=False).exit_code == 2  # at least one process scores
    linked = run(*base, "link", "--workers", "2")
    assert "1 pairs proposed in 1 clusters" in linked.output
    queue = run(*base, "matches").output
    assert "Serikzhan Bilash" in queue and "Серикжан Билаш" in queue and "names" in queue and other not in queue
    groups = json.loads(run(*base, "matches", "--json").output)
    assert {groups[0]["pairs"][0]["a"], groups[0]["pairs"][0]["b"]} == {first, second}
    run(*base, "match", "decide", first, second, "same", "--reason", "same birth year")
    assert "no matches waiting" in run(*base, "matches").output
    merge_id = run(*base, "merge", first, second).output.split(":")[0]
    shown = json.loads(run(*base, "show", first).output)
    assert {n["text"] for n in shown["names"]} == {"Serikzhan Bilash", "Серикжан Билаш"}
    assert second in run(*base, "unmerge", merge_id).output
    assert len(json.loads(run(*base, "show", first).output)["names"]) == 1
    bad = run(*base, "match", "decide", first, second, "maybe", ok=False)
    assert bad.exit_code == 2  # click rejects a decision outside the vocabulary
    missing = run(*base, "unmerge", "g_nothing", ok=False)
    assert missing.exit_code == 4 and "no merge" in missing.output
