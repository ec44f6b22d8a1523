"""The command line end to end: init, record, show, search, history, petitions, audit."""

import base64
import json
import os
import stat

from click.testing import CliRunner

from testimonia.cli import main

ENV = {"TESTIMONIA_PASSWORD": "correct horse battery", "TESTIMONIA_ADMIN_PASSWORD": "correct horse battery"}


def run(*args, ok=True):
    result = CliRunner().invoke(main, list(args), env=ENV)
    if ok:
        assert result.exit_code == 0, result.output + (result.stderr or "")
    return result


def test_init_creates_a_private_key_file_outside_the_database(tmp_path):
    folder = tmp_path / "reg"
    run("init", str(folder))
    key_file = folder / "keys.json"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    keys = json.loads(key_file.read_text())["keys"]
    raw = (folder / "registry.db").read_bytes() + (folder / "registry.db-wal").read_bytes() if (folder / "registry.db-wal").exists() else (folder / "registry.db").read_bytes()
    for secret in [*keys["masters"].values(), keys["audit_key"], keys["blind_key"]]:
        assert base64.b64decode(secret) not in raw and secret.encode() not in raw


def test_record_show_search_history_audit(tmp_path):
    folder = str(tmp_path / "reg")
    run("init", folder)
    base = ["--data", folder, "--user", "admin"]
    pid = run(*base, "person", "add", "--name", "Aygul Tursun", "--name", "Айгүл Тұрсын", "--sex", "female",
              "--hometown", "Nilka").output.strip()
    run(*base, "event", "add", pid, "sent_to_camp", "--date", "2018-03", "--place", "Yining County")
    shown = json.loads(run(*base, "show", pid).output)
    assert shown["status"]["status"] == "camp" and shown["hometown"]["code"] == "654028"
    assert pid in run(*base, "search", "Тұрсын").output
    assert pid in run(*base, "search", "--county", "654021").output
    run(*base, "person", "edit", pid, "--version", "1", "--set", "occupation=teacher")
    conflict = run(*base, "person", "edit", pid, "--version", "1", "--set", "occupation=nurse", ok=False)
    assert conflict.exit_code == 5 and "occupation" in conflict.output
    assert "person.update" in run(*base, "history", pid).output
    petition = run(*base, "petition", "add", "--title", "Appeal", "--to", "Embassy", "--about", pid,
                   "--sent-on", "2020-01-01").output.strip()
    assert "no answer for" in run(*base, "petition", "list", "--overdue", "30").output
    run(*base, "petition", "answer", petition, "acknowledged", "--received-on", "2020-02-01")
    assert run(*base, "petition", "list", "--overdue", "30").output == ""
    env = {**ENV, "TESTIMONIA_NEW_PASSWORD": "another long password"}
    assert CliRunner().invoke(main, [*base, "user", "add", "vera", "--role", "volunteer", "--project", "default"], env=env).exit_code == 0
    assert "vera" in run(*base, "user", "list").output and "volunteer" in run(*base, "user", "list").output
    denied = CliRunner().invoke(main, ["--data", folder, "--user", "vera", "user", "list"],
                                env={"TESTIMONIA_PASSWORD": "another long password"})
    assert denied.exit_code == 3
    head = run(*base, "audit", "head").output.strip()
    assert run(*base, "audit", "verify", "--head", head).output.startswith("ok:")


def test_errors_are_clear_lines_with_exit_codes(tmp_path):
    folder = str(tmp_path / "reg")
    run("init", folder)
    base = ["--data", folder, "--user", "admin"]
    bad = run(*base, "person", "add", "--name", "X Y", "--birth-date", "May 2018", ok=False)
    assert bad.exit_code == 1 and "birth_date" in bad.output and "Traceback" not in bad.output
    missing = run(*base, "show", "p_doesnotexist", ok=False)
    assert missing.exit_code == 4
    wrong = CliRunner().invoke(main, [*base, "show", "p_x"], env={"TESTIMONIA_PASSWORD": "wrong password!"})
    assert wrong.exit_code == 3 and "wrong user name or password" in wrong.output
    nowhere = run("--data", str(tmp_path / "none"), "--user", "admin", "show", "p_x", ok=False)
    assert nowhere.exit_code == 1 and "not a Testimonia data folder" in nowhere.output


def test_demo_registry(tmp_path):
    folder = str(tmp_path / "demo")
    run("demo", folder)
    out = run("--data", folder, "--user", "admin", "search", "", "--json").output
    people = json.loads(out)
    statuses = sorted(p["status"] or "-" for p in people)
    assert statuses == ["-", "-", "-", "-", "camp", "house_arrest"]
    petitions = json.loads(run("--data", folder, "--user", "admin", "petition", "list", "--json").output)
    assert len(petitions) == 1 and petitions[0]["answered"] is False and len(petitions[0]["persons"]) == 2


def test_init_on_each_backend(tmp_path, db_url):
    """`init --db postgresql://…` uses PostgreSQL; without --db, SQLite. The same commands work on both."""
    folder = str(tmp_path / "reg")
    run("init", folder, *(["--db", db_url] if db_url else []))
    config = json.loads((tmp_path / "reg" / "config.json").read_text())
    assert config["db"] == (db_url or "sqlite:registry.db")
    assert (tmp_path / "reg" / "registry.db").exists() is (db_url is None)
    base = ["--data", folder, "--user", "admin"]
    pid = run(*base, "person", "add", "--name", "Serikzhan Bilash").output.strip()
    assert pid in run(*base, "search", "bilash").output
    assert run(*base, "audit", "verify").output.startswith("ok:")
