"""Run the emulator as a stand-alone process: ``python -m emulator --port 8081``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from emulator.server import BotApiEmulator


async def _serve(token: str, port: int, username: str, first_name: str) -> None:
    async with BotApiEmulator(token, username=username, first_name=first_name) as emulator:
        print(f"base_url      = {emulator.base_url}", flush=True)
        print(f"base_file_url = {emulator.base_file_url}", flush=True)
        print(f"control_url   = {emulator.control_url}", flush=True)
        await asyncio.Event().wait()


def main() -> None:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(description="Telegram Bot API emulator on 127.0.0.1")
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--username", default="renja_bot")
    parser.add_argument("--first-name", default="Renja Bot")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.token, args.port, args.username, args.first_name))


if __name__ == "__main__":
    main()
