"""`testimonia key …`, `erase`, `backup`, `restore` end to end through the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from testimonia.cli import main
from testimonia.services import records
from testimonia.services.registry import init_folder
from testimonia.store.keyfile import is_sealed

from ..conftest import PASSWORD
from ..services.test_keys import CONTACTS, RESIDENT_ID, SUMMARY, TESTIFIER, TESTIMONY_NOTES, record_case

BACKUP_PASSPHRASE = "passphrase of the backups"
KEY_PASSPHRASE = "passphrase of the key file"
#: Passphrases are unset unless a test gives them, whatever the surrounding environment holds.
ENV = {"TESTIMONIA_PASSWORD": PASSWORD, "TESTIMONIA_PASSPHRASE": None, "TESTIMONIA_NEW_PASSPHRASE": None,
       "TESTIMONIA_BACKUP_PASSPHRASE": BACKUP_PASSPHRASE}


def cli(folder: Path, *args: str, user: str = "admin", code: int = 0, **env: str | None) -> Result:
    result = CliRunner().invoke(main, ["--data", str(folder), "--user", user, *args], env={**ENV, **env})
    assert result.exit_code == code, result.output
    return result


def test_rotate_export_and_passphrase(registry, project, admin, tmp_path):  # noqa: ANN001
    case = record_case(registry, admin, project)
    folder = registry.folder
    rotated = cli(folder, "key", "rotate")
    assert "re-wrapped" in rotated.stdout and "export it again" in rotated.stdout
    assert cli(folder, "audit", "verify").stdout.startswith("ok:")
    assert RESIDENT_ID in cli(folder, "show", case.person_id).stdout

    cli(folder, "key", "export", str(tmp_path / "copy.json"))
    assert (tmp_path / "copy.json").stat().st_mode & 0o777 == 0o600 and not is_sealed(tmp_path / "copy.json")
    cli(folder, "key", "export", str(tmp_path / "sealed.json"), "--passphrase-protect", TESTIMONIA_NEW_PASSPHRASE=KEY_PASSPHRASE)
    assert is_sealed(tmp_path / "sealed.json")
    assert "exists already" in cli(folder, "key", "export", str(tmp_path / "copy.json"), code=1).stderr

    cli(folder, "key", "passphrase", TESTIMONIA_NEW_PASSPHRASE=KEY_PASSPHRASE)
    assert is_sealed(registry.key_file)
    assert "protected by a passphrase" in cli(folder, "audit", "verify", code=1).stderr
    cli(folder, "key", "rotate", TESTIMONIA_PASSPHRASE=KEY_PASSPHRASE)
    assert is_sealed(registry.key_file)
    assert RESIDENT_ID in cli(folder, "show", case.person_id, TESTIMONIA_PASSPHRASE=KEY_PASSPHRASE).stdout
    cli(folder, "key", "passphrase", "--remove", TESTIMONIA_PASSPHRASE=KEY_PASSPHRASE)
    assert not is_sealed(registry.key_file)
    assert cli(folder, "audit", "verify").stdout.startswith("ok:")


def test_erase_names_the_earlier_backups(registry, project, admin, tmp_path):  # noqa: ANN001
    case = record_case(registry, admin, project)
    folder = registry.folder
    made = cli(folder, "backup", str(tmp_path / "before.backup")).stdout
    backup_id = made.split()[1]
    refused = cli(folder, "erase", case.testimony_id, code=1)
    assert "only a testimony whose consent was withdrawn can be erased" in refused.stderr
    cli(folder, "testimony", "consent", case.testimony_id, "withdrawn")
    erased = cli(folder, "erase", case.testimony_id).stdout
    assert "erased testimony" in erased and backup_id in erased and str(tmp_path / "before.backup") in erased
    shown = cli(folder, "show", case.person_id).stdout + cli(folder, "history", case.testimony_id).stdout
    assert "[erased]" in shown and RESIDENT_ID in shown  # the person's own values keep their own key
    assert [s for s in (TESTIFIER, CONTACTS, TESTIMONY_NOTES, SUMMARY) if s in shown] == []
    assert cli(folder, "audit", "verify").stdout.startswith("ok:")

    assert backup_id in cli(folder, "erase", case.testimony_id).stdout  # again: the same list
    cli(folder, "backup", str(tmp_path / "after.backup"))
    cli(folder, "restore", str(tmp_path / "after.backup"), str(tmp_path / "restored"))
    restored = cli(tmp_path / "restored", "show", case.person_id).stdout
    assert "[erased]" in restored and CONTACTS not in restored and TESTIFIER not in restored


def test_backup_and_restore(registry, project, admin, tmp_path):  # noqa: ANN001
    case = record_case(registry, admin, project)
    cli(registry.folder, "backup", str(tmp_path / "registry.backup"))
    wrong = cli(registry.folder, "restore", str(tmp_path / "registry.backup"), str(tmp_path / "restored"), code=1,
                TESTIMONIA_BACKUP_PASSPHRASE="not the passphrase")
    assert "wrong passphrase" in wrong.stderr and not (tmp_path / "restored").exists()
    done = cli(registry.folder, "restore", str(tmp_path / "registry.backup"), str(tmp_path / "restored"))
    assert "audit chain verified" in done.stdout
    assert cli(tmp_path / "restored", "audit", "verify").stdout.startswith("ok:")
    assert CONTACTS in cli(tmp_path / "restored", "show", case.person_id).stdout
    again = cli(registry.folder, "restore", str(tmp_path / "registry.backup"), str(tmp_path / "restored"), code=1)
    assert "not empty" in again.stderr


def test_only_admins(registry, project, admin, editor, tmp_path):  # noqa: ANN001
    case = record_case(registry, admin, project)
    records.set_consent(registry, admin, case.testimony_id, "withdrawn")
    for args in (["key", "rotate"], ["key", "export", str(tmp_path / "copy.json")], ["erase", case.testimony_id],
                 ["backup", str(tmp_path / "registry.backup")]):
        assert "admin" in cli(registry.folder, *args, user="editor", code=3).stderr
    assert list(tmp_path.iterdir()) == [registry.folder]


def test_missing_or_foreign_key_file(registry, project, admin, tmp_path):  # noqa: ANN001
    case = record_case(registry, admin, project)
    registry.key_file.rename(tmp_path / "moved.json")
    assert "no key file" in cli(registry.folder, "show", case.person_id, code=1).stderr
    other = init_folder(tmp_path / "other")
    other.close()
    shutil.copy(other.key_file, registry.key_file)
    assert "does not belong to this registry" in cli(registry.folder, "show", case.person_id, code=1).stderr
