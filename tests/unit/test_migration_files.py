"""The migrations' file names: each number used once, with no gap, so two branches that both add
"0012_…" cannot both land and leave the order between them to the alphabet."""

from __future__ import annotations

from data.migrate import MIGRATIONS_DIR, migration_files


def test_each_migration_number_is_used_once_and_in_sequence():
    numbers = [int(path.name[:4]) for path in migration_files()]
    assert numbers == list(range(1, len(numbers) + 1))


def test_every_sql_file_in_the_folder_is_a_migration():
    assert sorted(MIGRATIONS_DIR.glob("*.sql")) == migration_files()
