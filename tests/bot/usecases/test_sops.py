"""/sop: the flowchart picture, drawn once and kept, then the mutu baku table."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from bot.usecases import sops
from bot.usecases.base import Services
from bot.usecases.errors import InvalidInput
from storage import outbox as outbox_store
from storage.models import OutboxMessage
from workflow.flowchart import PNG_SIGNATURE, draw_flowchart, png_size
from workflow.sop import Sop


def owed(services: Services) -> list[OutboxMessage]:
    with Session(services.engine) as session:
        return [row for row, _ in outbox_store.listing(session, statuses=("menunggu",))]


def test_sop_owes_the_picture_then_the_table(office: Services) -> None:
    services = office
    sops.send_sop(services, telegram_id=101, chat_id=101)
    picture, table = sorted(owed(services), key=lambda row: row.id or 0)
    assert (picture.chat_id, picture.kind) == (101, outbox_store.PHOTO)
    path = Path(picture.payload["path"])
    assert path.is_absolute() and path.parent == (services.files_dir / "gambar").resolve()
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    assert picture.payload["file_name"] == "sop-menyusun-rencana-kerja.png"
    assert picture.payload["caption"].startswith("🗺 Bagan alir SOP <b>MENYUSUN RENCANA KERJA</b>")
    assert table.kind == outbox_store.MESSAGE
    assert table.payload["text"].startswith("📘 <b>SOP MENYUSUN RENCANA KERJA</b>")
    assert "Jumlah waktu: 230 menit" in table.payload["text"]


def test_the_picture_is_drawn_once_and_again_only_for_a_changed_sop(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[str] = []

    def counting(sop: Sop) -> bytes:
        drawn.append(sop.id)
        return draw_flowchart(sop)

    monkeypatch.setattr(sops, "draw_flowchart", counting)
    sop = services.sops[services.default_sop]
    first = sops.flowchart(services, sop=sop)
    again = sops.flowchart(services, sop=sop)
    assert first == again and drawn == [sop.id]
    assert png_size(first.path.read_bytes()) == (first.width, first.height)
    assert first.as_photo  # five rows fit Telegram's photo

    changed = sop.model_copy(update={"langkah": sop.langkah[:3]})
    shorter = sops.flowchart(services, sop=changed)
    assert drawn == [sop.id, sop.id] and shorter.path != first.path
    assert shorter.height < first.height
    assert sorted(p.name for p in (services.files_dir / "gambar").iterdir()) == sorted(
        [first.path.name, shorter.path.name]
    )  # no partial file left behind


def test_a_tall_flowchart_goes_as_a_document(services: Services) -> None:
    assert not sops.Picture(Path("x.png"), 2300, 2800).as_photo
    assert sops.Picture(Path("x.png"), 2300, 2500).as_photo


def test_an_unknown_sop_is_refused_with_the_known_ones(office: Services) -> None:
    services = office
    with pytest.raises(InvalidInput, match=r"SOP 'cuti' tidak ada\. Pilihan: menyusun-"):
        sops.send_sop(services, telegram_id=101, chat_id=101, sop_id="cuti")
    assert owed(services) == []
