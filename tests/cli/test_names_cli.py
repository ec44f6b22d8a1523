"""`testimonia names score|explain|keys|learn` through the command line (no data folder needed but for learn)."""

from click.testing import CliRunner

from testimonia.cli import main
from testimonia.names import THRESHOLD


def run(*args: str, stdin: str | None = None, folder=None):  # noqa: ANN001, ANN201
    prefix = ["--data", str(folder)] if folder else []
    return CliRunner().invoke(main, [*prefix, "names", *args], input=stdin)


def test_score_reads_pairs_and_keeps_their_order():
    result = run("score", stdin="Ilham Tohti\t伊力哈木·土赫提\nIlham Tohti\tEnver Tohti\nSerikzhan Bilash\tСерікжан Біләшұлы\n")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split("\t")[1] for line in lines] == ["same", "different", "same"]
    for line in lines:
        score, verdict = line.split("\t")
        assert 0.0 <= float(score) <= 1.0 and (float(score) >= THRESHOLD) == (verdict == "same")


def test_a_bad_line_is_named_on_stderr_and_scored_zero():
    result = run("score", stdin="Ilham Tohti\t伊力哈木·土赫提\nno tab here\na\tb\tc\n")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == ["0\tdifferent", "0\tdifferent"]
    assert "line 2:" in result.stderr and "line 3:" in result.stderr


def test_explain_names_the_parts_and_their_readings():
    result = run("explain", "Serikzhan Bilash", "Saierkejian Bilaixi")
    assert result.exit_code == 0
    assert "same at threshold" in result.stdout
    assert "serikzhan ~ saierkejian" in result.stdout and "bilash ~ bilaixi" in result.stdout


def test_keys_prints_readings_and_blocking_keys():
    result = run("keys", "伊力哈木·土赫提")
    assert result.exit_code == 0
    assert "[Hani]" in result.stdout and "ILAM" in result.stdout and "pair:RM|TT" in result.stdout


def test_learn_records_a_pair_in_the_data_folder_and_it_is_used(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    before = run("score", stdin="Yu Shanjiang\tHuseyin Celil\n", folder=folder).stdout
    assert before.endswith("different\n")
    learned = run("learn", "Yu Shanjiang", "Huseyin Celil", folder=folder)
    assert learned.exit_code == 0, learned.output
    assert (folder / "name_variants.tsv").read_text(encoding="utf-8").endswith("Yu Shanjiang\tHuseyin Celil\n")
    after = run("score", stdin="Yu Shanjiang\tHuseyin Celil\n", folder=folder).stdout
    assert after.endswith("same\n")


def test_learn_refuses_names_of_different_lengths(tmp_path):
    result = run("learn", "Ilham Tohti", "Ilham", folder=tmp_path)
    assert result.exit_code != 0 and "same number of parts" in result.output
    assert not (tmp_path / "name_variants.tsv").exists()


def test_a_malformed_variants_file_is_named_with_its_line(tmp_path):
    (tmp_path / "name_variants.tsv").write_text("# ok\nonly one spelling\n", encoding="utf-8")
    result = run("score", stdin="a\tb\n", folder=tmp_path)
    assert result.exit_code != 0
    assert "name_variants.tsv:2: expected two spellings" in result.output
