"""`renja-bot instansi` and `renja-bot user add --instansi`: several agencies, one bot."""

from __future__ import annotations

import pytest

from tests.bot.test_cli import environment, run

__all__ = ["environment"]  # the database of every test here (autouse)

ADD = ["user", "add", "--name", "Dewi", "--position", "sekretaris", "--unit", "Sekretariat"]


def test_agencies_are_added_and_listed(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "db", "upgrade")
    code, out, _ = run(capsys, "instansi", "list")
    assert code == 0
    # The database starts with one agency, named as the organisation file names the office.
    assert "utama" in out
    assert "Badan Perencanaan Pembangunan Daerah Provinsi Kalimantan Barat" in out

    code, out, _ = run(capsys, "instansi", "add", "dinkes", "Dinas Kesehatan")
    assert code == 0
    assert out.startswith("Instansi ditambahkan: dinkes — Dinas Kesehatan.")
    code, out, _ = run(capsys, "instansi", "list")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["utama", "dinkes"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["utama", "Lagi"], "Instansi 'utama' sudah ada."),
        (["Dinkes", "Dinas Kesehatan"], "Kunci instansi 'Dinkes' tidak sah"),
        (["dinkes", "  "], "Nama instansi wajib diisi."),
    ],
)
def test_a_bad_agency_is_refused_and_nothing_changes(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    run(capsys, "db", "upgrade")
    code, _, err = run(capsys, "instansi", "add", *argv)
    assert code == 1
    assert message in err
    _, out, _ = run(capsys, "instansi", "list")
    assert len(out.splitlines()) == 2  # the heading and the default agency


def test_officials_are_registered_in_their_agency(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "db", "upgrade")
    run(capsys, "instansi", "add", "dinkes", "Dinas Kesehatan")
    code, out, _ = run(capsys, *ADD, "--telegram-id", "401", "--instansi", "dinkes", "--admin")
    assert (code, out.strip()) == (
        0,
        "Terdaftar: Dewi (401) sebagai Sekretaris (Sekretariat), Dinas Kesehatan "
        "(admin instansi).",
    )
    rina = ["user", "add", "--telegram-id", "101", "--name", "Rina"]
    run(capsys, *rina, "--position", "sekretaris")
    _, out, _ = run(capsys, "user", "list", "--instansi", "dinkes")
    assert "Dewi" in out and "[admin]" in out and "Rina" not in out
    _, out, _ = run(capsys, "user", "list")
    assert "dinkes" in out and "utama" in out

    # One person, one agency: Rina (of the default agency) cannot join Dinas Kesehatan.
    code, _, err = run(capsys, *rina, "--position", "kepala_badan", "--instansi", "dinkes")
    assert code == 1
    assert "sudah terdaftar di instansi lain" in err
    code, _, err = run(capsys, *ADD, "--telegram-id", "402", "--instansi", "dinsos")
    assert code == 1
    assert "Instansi 'dinsos' tidak dikenal. Pilihan: utama, dinkes." in err
    _, out, _ = run(capsys, "user", "list")
    assert "402" not in out
