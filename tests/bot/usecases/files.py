"""A file as the use cases receive it once archived, for the use-case tests."""

from __future__ import annotations

from storage.drafts import NewFile


def new_file(name: str) -> NewFile:
    return NewFile(
        file_name=name,
        mime_type="application/pdf",
        size=10,
        sha256=name.ljust(64, "0")[:64],
        telegram_file_id=f"id-{name}",
        telegram_file_unique_id=f"unique-{name}",
        stored_path=f"/arsip/{name}",
    )
