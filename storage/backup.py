"""Backups of the SQLite database with its archive of files, restoring them, and the lock
that tells whether a bot runs on a database.

A backup is one tar file, gzip-compressed when its name ends in `.tar.gz` or `.tgz`:

    renja.db          a consistent copy of the database, taken with SQLite's online backup
                      API while the bot runs (writers are not stopped)
    berkas/<path>     every file under FILES_DIR, at its path there
    MANIFEST.sha256   the SHA-256 of every other member, as `sha256sum` writes it

The database is copied first, the files after it. A file is archived before the row that
names it is committed, and never changed or removed after, so every file the copy names is
already on disk when the files are copied (files newer than the copy come along unnamed).

`renja-bot run` holds an exclusive advisory lock (flock) on `<database>.lock` for its whole
life; a restore takes the same lock without waiting, and so refuses while a bot runs (and no
bot starts while a restore runs). The kernel drops the lock when its process ends, even a
killed one.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from sqlalchemy.engine import make_url

from storage.db import BUSY_TIMEOUT_MS
from storage.files import sha256_of

DATABASE_MEMBER = "renja.db"
FILES_MEMBER = "berkas"
MANIFEST_MEMBER = "MANIFEST.sha256"
SUFFIXES = (".tar", ".tar.gz", ".tgz")


class NotSqlite(Exception):
    """The database is not a SQLite file (PostgreSQL is backed up with pg_dump)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class BotRunning(Exception):
    """Another process holds the database's lock: a bot runs on it (or a restore does)."""

    def __init__(self, lock: Path, holder: str) -> None:
        super().__init__(str(lock))
        self.lock = lock
        self.holder = holder
        """What the holder wrote in the lock file (its process id), if anything."""


class NoDatabase(Exception):
    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


class BadName(Exception):
    """The backup's name does not end in one of `SUFFIXES`."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


class AlreadyThere(Exception):
    """The backup file exists, or the database to restore into holds data (without force)."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


class BadBackup(Exception):
    """The file is no backup of this kind, or one whose content does not match its manifest."""

    def __init__(self, path: Path, reason: str, member: str = "") -> None:
        super().__init__(f"{path}: {reason} {member}")
        self.path = path
        self.reason = reason
        """'bukan_cadangan', 'isi_asing', 'tanpa_manifest', 'kurang', 'rusak' or
        'basis_data_rusak'."""
        self.member = member


def database_file(url: str) -> Path:
    """The SQLite file of `url`; refuses any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        raise NotSqlite(url)
    return Path(parsed.database).expanduser()


def lock_file(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextmanager
def bot_lock(url: str) -> Iterator[None]:
    """Hold the database's lock for the block, or refuse at once (`BotRunning`) when another
    process holds it. A database that is no SQLite file has no lock here."""
    try:
        database = database_file(url)
    except NotSqlite:
        yield
        return
    path = lock_file(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 64, 0).decode("ascii", "replace").strip()
            raise BotRunning(path, holder) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(handle)  # drops the lock


class _Hashing:
    """A file read through once: what tarfile copies is what is hashed."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


@dataclass(frozen=True)
class BackupMade:
    path: Path
    files: int
    database_bytes: int
    backup_bytes: int


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a live database, in one step of the online backup API."""
    with (
        closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)) as live,
        closing(sqlite3.connect(target)) as copy,
    ):
        live.backup(copy)
        # The copy is one self-contained file, without a write-ahead log beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        (result,) = copy.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BadBackup(source, "basis_data_rusak", str(result))


def _archived(files_dir: Path) -> list[Path]:
    """Every archived file, by path; not the half-written ones (`.part`, or hidden)."""
    if not files_dir.is_dir():
        return []
    return sorted(
        path
        for path in files_dir.rglob("*")
        if path.is_file()
        and not path.is_symlink()
        and not path.name.endswith(".part")
        and not any(part.startswith(".") for part in path.relative_to(files_dir).parts)
    )


def _open_for_writing(path: Path, name: str) -> tarfile.TarFile:
    if name.endswith((".tar.gz", ".tgz")):
        return tarfile.open(path, "w:gz")
    return tarfile.open(path, "w")


def backup(url: str, *, files_dir: Path, target: Path, force: bool = False) -> BackupMade:
    """Write a backup of the database of `url` and of `files_dir` to `target`.

    Safe while the bot runs. The backup is written under a temporary name and renamed when
    complete: `target` is either the whole backup or not there.
    """
    database = database_file(url)
    if not target.name.endswith(SUFFIXES):
        raise BadName(target)
    if not database.is_file():
        raise NoDatabase(database)
    if target.exists() and not force:
        raise AlreadyThere(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    sums: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".cadangan-") as scratch:
        copy = Path(scratch) / DATABASE_MEMBER
        _copy_database(database, copy)
        partial = Path(scratch) / "cadangan.part"
        files = _archived(files_dir)
        with _open_for_writing(partial, target.name) as archive:
            members = [(copy, DATABASE_MEMBER)] + [
                (path, f"{FILES_MEMBER}/{path.relative_to(files_dir).as_posix()}")
                for path in files
            ]
            for path, name in members:
                with path.open("rb") as stream:
                    info = archive.gettarinfo(arcname=name, fileobj=stream)
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    hashing = _Hashing(stream)
                    archive.addfile(info, hashing)
                sums.append((hashing.digest.hexdigest(), name))
            manifest = "".join(f"{digest}  {name}\n" for digest, name in sums).encode()
            info = tarfile.TarInfo(MANIFEST_MEMBER)
            info.size = len(manifest)
            info.mtime = int(copy.stat().st_mtime)
            info.mode = 0o644
            archive.addfile(info, BytesIO(manifest))
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
        copied = copy.stat().st_size
    return BackupMade(target, len(files), copied, target.stat().st_size)


def _member_path(name: str) -> PurePosixPath | None:
    """The member's path if it may be in a backup; None for anything else."""
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("", ".", "..") for part in path.parts):
        return None
    if name in (DATABASE_MEMBER, MANIFEST_MEMBER):
        return path
    if len(path.parts) >= 2 and path.parts[0] == FILES_MEMBER:
        return path
    return None


def _has_data(database: Path) -> bool:
    """Whether any table of the database holds a row (the migrations' own aside: their
    version, and the default agency they create)."""
    if not database.is_file() or database.stat().st_size == 0:
        return False
    with closing(sqlite3.connect(database, timeout=BUSY_TIMEOUT_MS / 1000)) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name NOT IN ('alembic_version', 'agency')"
            )
        ]
        return any(
            connection.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone() for name in tables
        )


def _copy_out(stream: IO[bytes], target: Path) -> str:
    """Write the stream to `target`; its SHA-256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with target.open("wb") as out:
        while block := stream.read(1 << 20):
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def _extract(source: Path, into: Path) -> tuple[dict[str, str], bytes]:
    """The members' SHA-256 sums as extracted into `into`, and the manifest's text."""
    found: dict[str, str] = {}
    manifest = b""
    try:
        with tarfile.open(source, "r:*") as archive:
            for member in archive:
                path = _member_path(member.name)
                if path is None or not member.isfile():
                    raise BadBackup(source, "isi_asing", member.name)
                stream = archive.extractfile(member)
                assert stream is not None
                if member.name == MANIFEST_MEMBER:
                    manifest = stream.read()
                else:
                    found[member.name] = _copy_out(stream, into / path)
    except (tarfile.TarError, EOFError, OSError):
        raise BadBackup(source, "bukan_cadangan") from None
    return found, manifest


def _unpack(source: Path, into: Path) -> dict[str, str]:
    """Extract the backup's members into `into`, checked against its manifest; their sums."""
    found, manifest = _extract(source, into)
    if not manifest:
        raise BadBackup(source, "tanpa_manifest")
    listed: dict[str, str] = {}
    for line in manifest.decode("utf-8", "replace").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    for name, digest in listed.items():
        if name not in found:
            raise BadBackup(source, "kurang", name)
        if found[name] != digest:
            raise BadBackup(source, "rusak", name)
    for name in found:
        if name not in listed:
            raise BadBackup(source, "isi_asing", name)
    if DATABASE_MEMBER not in found:
        raise BadBackup(source, "kurang", DATABASE_MEMBER)
    return found


@dataclass(frozen=True)
class Restored:
    database: Path
    files_written: int
    files_kept: int
    """Files already in FILES_DIR with the same content."""


def restore(url: str, *, files_dir: Path, source: Path, force: bool = False) -> Restored:
    """Restore a backup into the database of `url` and `files_dir`.

    Refuses while a bot runs on the database (`BotRunning`), and holds its lock meanwhile so
    that none starts. Refuses a database that holds data unless `force`. Every member is
    checked against the manifest before anything is written; the files go first (one more
    file changes nothing), then the database, in one step of the backup API. Files in
    FILES_DIR that the backup does not hold stay.
    """
    database = database_file(url)
    if not source.is_file():
        raise BadBackup(source, "bukan_cadangan")
    with bot_lock(url):
        if _has_data(database) and not force:
            raise AlreadyThere(database)
        database.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=database.parent, prefix=".pemulihan-") as scratch:
            unpacked = Path(scratch)
            sums = _unpack(source, unpacked)
            copy = unpacked / DATABASE_MEMBER
            with closing(sqlite3.connect(copy)) as connection:
                (result,) = connection.execute("PRAGMA integrity_check").fetchone()
            if result != "ok":
                raise BadBackup(source, "basis_data_rusak", str(result))
            written = kept = 0
            for name, digest in sorted(sums.items()):
                if not name.startswith(FILES_MEMBER + "/"):
                    continue
                target = files_dir / name.removeprefix(FILES_MEMBER + "/")
                if target.is_file() and sha256_of(target) == digest:
                    kept += 1
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(target.name + ".part")
                shutil.copyfile(unpacked / name, partial)
                os.replace(partial, target)
                written += 1
            with (
                closing(sqlite3.connect(copy)) as backup_copy,
                closing(sqlite3.connect(database, timeout=BUSY_TIMEOUT_MS / 1000)) as live,
            ):
                backup_copy.backup(live)
    return Restored(database, written, kept)
