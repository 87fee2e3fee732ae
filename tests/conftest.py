"""Fixtures shared by every layer: a migrated database (SQLite and PostgreSQL), the SOPs, a
controllable clock, the officials of the Renja SOP, and the Bot API emulator with a bare
`Bot` on it.

Every test that uses `database_url` runs twice: on a SQLite file, and on a database of a
real PostgreSQL server started for the run (tests/pg.py); the PostgreSQL variants are
marked `pg`, and skipped when no PostgreSQL server binaries are installed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from telegram import Bot

from bot.sample_office import register_officials
from bot.usecases.base import Services
from emulator import BotApiEmulator, EmulatorClient
from storage.db import make_engine, upgrade
from tests import pg
from workflow.calendar import OfficeCalendar
from workflow.organisation import Organisation, load_organisation, parse_organisation
from workflow.sop import Sop, load_sops

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
TOKEN = "123456789:EMULATOR-test-token"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@dataclass
class FakeClock:
    """A clock the test moves by hand; always timezone-aware."""

    now: datetime = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # Senin 08:00 WIB

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def office_organisation() -> Organisation:
    """The office of config/organisasi.yaml, which the shipped SOPs name."""
    return load_organisation(ROOT / "config" / "organisasi.yaml")


def shapes_organisation_data() -> dict[str, Any]:
    """The office with the positions of the shape tests' SOPs (tests/data/organisasi/dinas.yaml)
    added, so that those SOPs run beside the Renja in one bot (as YAML data)."""
    office = yaml.safe_load((ROOT / "config" / "organisasi.yaml").read_text(encoding="utf-8"))
    dinas = yaml.safe_load((DATA / "organisasi" / "dinas.yaml").read_text(encoding="utf-8"))
    for part in ("jabatan", "pihak_luar"):
        office[part] = {**office.get(part, {}), **dinas.get(part, {})}
    assert isinstance(office, dict)
    return office


def shapes_organisation() -> Organisation:
    """The office with the positions of the shape tests' SOPs added."""
    return parse_organisation(shapes_organisation_data(), source="organisasi + organisasi/dinas")


@pytest.fixture(scope="session")
def organisation() -> Organisation:
    return office_organisation()


@pytest.fixture(scope="session")
def sops(organisation: Organisation) -> dict[str, Sop]:
    return load_sops(ROOT / "sops", organisation=organisation)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.pg),
]


@pytest.fixture(scope="session")
def postgres() -> Iterator[pg.PostgresServer]:
    """A PostgreSQL server for the whole run, with a migrated template database."""
    binaries = pg.find_binaries()
    if binaries is None:
        pytest.skip(pg.MISSING)
    with pg.running(binaries) as server:
        yield server


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database the test runs on: "sqlite" or "postgresql"."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated database of the test's own, on the test's backend."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'renja.db'}"
        upgrade(url)
        yield url
        return
    server: pg.PostgresServer = request.getfixturevalue("postgres")
    name = server.new_database()
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def services(
    tmp_path: Path, database_url: str, sops: dict[str, Sop], clock: FakeClock
) -> Iterator[Services]:
    services = Services(
        engine=make_engine(database_url),
        sops=sops,
        calendar=OfficeCalendar.default(),
        clock=clock,
        files_dir=tmp_path / "files",
        max_upload_bytes=MAX_UPLOAD_BYTES,
    )
    yield services
    services.engine.dispose()


@pytest.fixture
def office(services: Services) -> Services:
    """The services, with the seven officials of the Renja SOP registered."""
    register_officials(services)
    return services


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """The Bot API emulator, on 127.0.0.1."""
    async with BotApiEmulator(TOKEN, username="renja_bot", first_name="Renja Bot") as emulator:
        yield emulator


@pytest.fixture
async def control(emu: BotApiEmulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emu.control_url) as client:
        yield client


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    """A bare python-telegram-bot ``Bot`` pointed at the emulator (no polling)."""
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as tg_bot:
        yield tg_bot


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say plainly when the PostgreSQL variants did not run, and how to run them."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if pg.MISSING in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_sep(
            "=",
            f"PostgreSQL tests skipped: {len(skipped)} tests, {pg.MISSING};"
            " run `make test-pg` (it installs PostgreSQL)",
            yellow=True,
            bold=True,
        )
