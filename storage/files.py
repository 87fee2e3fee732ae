"""The archive of uploaded files: one folder per draft, each file named by its SHA-256; the
pictures the bot draws (SOP flowcharts), kept once under `gambar/`; and the reports' charts
and workbooks, under `laporan/`, named by their SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

PICTURES = "gambar"
REPORTS = "laporan"


def archive(files_dir: Path, *, draft_id: int, data: bytes, extension: str) -> tuple[str, str]:
    """Store `data` once (same content, same file); returns (relative path, sha256).

    The file is named by its SHA-256 and the extension of the type its content was found to
    be, never by the name the sender gave it.
    """
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(str(draft_id)) / f"{digest}{extension}"
    target = files_dir / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, target)  # never leave half a file under the final name
    return relative.as_posix(), digest


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def picture(files_dir: Path, *, name: str) -> Path:
    """Where a picture the bot drew is kept (it may not be there yet)."""
    return files_dir / PICTURES / name


def keep_picture(files_dir: Path, *, name: str, data: bytes) -> Path:
    """Keep a drawn picture under `name`, written whole or not at all; its path."""
    return _keep(picture(files_dir, name=name), data)


def keep_report(files_dir: Path, *, data: bytes, suffix: str) -> Path:
    """Keep a report's file (a chart, a workbook), which the outbox sends from there: named
    by its SHA-256, so the same report asked twice is kept once. Its path."""
    name = f"{hashlib.sha256(data).hexdigest()}{suffix}"
    target = files_dir / REPORTS / name
    if target.exists():
        return target
    return _keep(target, data)


def _keep(target: Path, data: bytes) -> Path:
    """Write `data` to `target` whole or not at all."""
    name = target.name
    target.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own: two requests drawing the same picture at once must not share it.
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return target
