"""A real PostgreSQL server for the tests: a cluster of its own in a temporary folder, on a
free port of 127.0.0.1, started once per test run and stopped at its end.

The server binaries are the Debian `postgresql` package's (or any `initdb` and `pg_ctl` on
PATH). initdb refuses to run as root: as root, the cluster belongs to the `postgres` system
user and its commands run as that user. Each test gets a database of its own, copied from a
template migrated once.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql

from storage.db import upgrade

MISSING = "no PostgreSQL server binaries (initdb, pg_ctl) found"
"""Why the PostgreSQL variants are skipped (tests/conftest.py's summary looks for it)."""
SEARCHED = "/usr/lib/postgresql/*/bin"
SYSTEM_USER = "postgres"
TEMPLATE = "renja_template"


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: PATH first, then the newest Debian version."""
    on_path = shutil.which("initdb")
    if on_path is not None and shutil.which("pg_ctl") is not None:
        return Path(on_path).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda folder: int(folder.parent.name) if folder.parent.name.isdigit() else 0,
        reverse=True,
    )
    for folder in versions:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


LOWEST_PORT, EPHEMERAL_PORTS = 20_000, 32_768
"""Ports are drawn below Linux's ephemeral range (32768 and up by default)."""


def free_port() -> int:
    """A port of 127.0.0.1 free now, for a server started next. It is drawn below the range
    the kernel hands out to outgoing connections, so that none of those (another test's,
    running beside) takes it before the server binds it."""
    draw = random.SystemRandom()
    for _ in range(200):
        port = draw.randrange(LOWEST_PORT, EPHEMERAL_PORTS)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port of 127.0.0.1 between {LOWEST_PORT} and {EPHEMERAL_PORTS}")


class PostgresServer:
    """One cluster: `start`, then databases for the tests, then `stop`."""

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.as_root = os.geteuid() == 0
        # As root the cluster belongs to `postgres`, who must reach its folder: under /tmp,
        # not under a TMPDIR only root may enter.
        self.root = Path(
            tempfile.mkdtemp(prefix="renja-pg-", dir="/tmp" if self.as_root else None)
        )
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.port = 0
        self._names = itertools.count(1)
        self.sockets.mkdir()
        if self.as_root:
            owner = pwd.getpwnam(SYSTEM_USER)
            for folder in (self.root, self.sockets):
                os.chown(folder, owner.pw_uid, owner.pw_gid)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.binaries / program), *args]
        if self.as_root:
            command = ["runuser", "-u", SYSTEM_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "--username=postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
        )
        for attempt in range(5):
            self.port = free_port()
            options = " ".join(
                [
                    "-c listen_addresses=127.0.0.1",
                    f"-p {self.port}",
                    f"-k {self.sockets}",
                    "-c max_connections=300",
                    # A test cluster: nothing of it must survive a crash of the machine.
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                ]
            )
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.root / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "start",
                )
                return
            except RuntimeError:
                if attempt == 4:  # the port was taken meanwhile, four times over
                    raise

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    @contextlib.contextmanager
    def admin(self) -> Iterator[psycopg.Connection]:
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            yield connection

    def migrate_template(self) -> None:
        """The template every test's database is copied from, at the newest schema."""
        with self.admin() as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE)))
        upgrade(self.url(TEMPLATE))

    def new_database(self, *, migrated: bool = True) -> str:
        """A database of its own (migrated: a copy of the template; else empty); its name."""
        name = f"renja_test_{next(self._names)}"
        statement = "CREATE DATABASE {} TEMPLATE {}" if migrated else "CREATE DATABASE {}"
        with self.admin() as connection:
            connection.execute(
                sql.SQL(statement).format(sql.Identifier(name), sql.Identifier(TEMPLATE))
            )
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextlib.contextmanager
def running(binaries: Path) -> Iterator[PostgresServer]:
    """A started server with its migrated template, stopped (and removed) after the block."""
    server = PostgresServer(binaries)
    try:
        server.start()
        server.migrate_template()
        yield server
    finally:
        server.stop()
