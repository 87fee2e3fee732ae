"""Run the emulator as a stand-alone process: ``python -m emulator --port 8081``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json

from emulator.limits import FaultPlan
from emulator.server import BotApiEmulator


async def _serve(
    token: str, port: int, username: str, first_name: str, flood_limits: bool, faults: FaultPlan
) -> None:
    async with BotApiEmulator(
        token, username=username, first_name=first_name, flood_limits=flood_limits, faults=faults
    ) as emulator:
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
    parser.add_argument(
        "--flood-limits", action="store_true", help="answer 429 beyond Telegram's flood limits"
    )
    parser.add_argument(
        "--faults",
        default="",
        metavar="JSON",
        help='inject faults, e.g. \'{"rate": 0.2, "kinds": ["500", "drop"], "seed": 1}\'',
    )
    args = parser.parse_args()
    try:
        faults = FaultPlan.from_json(json.loads(args.faults) if args.faults else None)
    except ValueError as exc:
        parser.error(f"--faults: {exc}")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            _serve(
                args.token, args.port, args.username, args.first_name, args.flood_limits, faults
            )
        )


if __name__ == "__main__":
    main()
