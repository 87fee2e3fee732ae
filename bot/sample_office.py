"""The office the demo plays and the tests run on: seven officials who hold every position of
the Renja SOP (sops/menyusun-rencana-kerja.yaml), each with a Telegram id."""

from __future__ import annotations

from dataclasses import dataclass

from bot.usecases import officials
from bot.usecases.base import Services


@dataclass(frozen=True)
class SampleOfficial:
    key: str
    """How the demo's steps name them."""
    telegram_id: int
    name: str
    position: str
    unit: str | None = None

    @property
    def first_name(self) -> str:
        """Their Telegram first name (and the name the demo registers them by)."""
        return self.name.split()[0]


OFFICIALS: tuple[SampleOfficial, ...] = (
    SampleOfficial("rina", 101, "Rina Kasubbag", "kasubbag_renja"),
    SampleOfficial("budi", 102, "Budi Sekretaris", "sekretaris", "Sekretariat"),
    SampleOfficial("citra", 103, "Citra Kabid Ekonomi", "kepala_bidang", "Bidang Ekonomi"),
    SampleOfficial(
        "dodi", 104, "Dodi Kabid Infrastruktur", "kepala_bidang", "Bidang Infrastruktur"
    ),
    SampleOfficial("eka", 105, "Eka Kepala Badan", "kepala_badan"),
    SampleOfficial("fajar", 106, "Fajar Dinas PU", "forum_skpd", "Dinas PU"),
    SampleOfficial("gita", 107, "Gita Dinas Pendidikan", "forum_skpd", "Dinas Pendidikan"),
)


def register_officials(services: Services, *, first_names: bool = False) -> None:
    """Register the seven officials, by their full names or (`first_names`) their first."""
    for official in OFFICIALS:
        officials.register_official(
            services,
            telegram_id=official.telegram_id,
            name=official.first_name if first_names else official.name,
            position=official.position,
            unit=official.unit,
        )
