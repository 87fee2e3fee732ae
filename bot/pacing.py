"""Telegram's sending limits, kept by the sender: token buckets per chat and for the bot."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from telegram.error import RetryAfter


@dataclass(frozen=True)
class Pacing:
    """Telegram's sending limits (core.telegram.org/bots/faq), as the sender keeps them."""

    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    global_per_second: float = 30.0
    backoff_base_seconds: float = 1.0
    backoff_cap_seconds: float = 300.0
    lease_seconds: float = 60.0
    in_flight: int = 32
    """How many chats are served at once."""


class TokenBucket:
    """`rate` sends a second on average, up to `capacity` at once."""

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = 0.0

    def wait_time(self, now: float, cost: int = 1) -> float:
        """Seconds until `cost` sends are allowed, after taking them if they are allowed now.

        More than the bucket holds (an album of ten in a private chat) goes when the bucket
        is full and leaves it in debt, as Telegram counts an album: the sends after it wait.
        Taking the tokens one by one instead would hold the album back for nothing, then
        let the next message go while Telegram still counts the album's debt: a 429.
        """
        if self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        needed = min(cost, self.capacity)
        if self.tokens >= needed:
            self.tokens -= cost
            return 0.0
        return (needed - self.tokens) / self.rate

    def has_token(self, now: float) -> bool:
        """Whether one send would be allowed now (nothing is taken)."""
        if not self.updated:
            return self.tokens >= 1
        return min(self.capacity, self.tokens + (now - self.updated) * self.rate) >= 1


SAFETY = 0.97
"""The sender refills its buckets a little slower than Telegram does: its clock starts when
a request leaves, Telegram's when it arrives, and a few milliseconds of difference would
otherwise turn the last message of a burst into a 429."""


class Pacer:
    """One bucket per chat (private or group) and one for the whole bot."""

    def __init__(self, pacing: Pacing) -> None:
        self.pacing = pacing
        # Half a second's worth at once, not a whole second's: a burst that queues on its
        # way reaches Telegram late, and Telegram's bucket, full until then, gained nothing
        # meanwhile while this one was already refilling.
        self.overall = TokenBucket(
            pacing.global_per_second * SAFETY, max(1.0, pacing.global_per_second / 2)
        )
        self.chats: dict[int, TokenBucket] = {}

    def _bucket(self, chat_id: int) -> TokenBucket:
        bucket = self.chats.get(chat_id)
        if bucket is None:
            if chat_id < 0:  # groups and channels have negative ids
                bucket = TokenBucket(self.pacing.group_per_minute / 60 * SAFETY, 1)
            else:
                bucket = TokenBucket(
                    self.pacing.private_per_second * SAFETY, self.pacing.private_burst
                )
            self.chats[chat_id] = bucket
        return bucket

    def settle(self, chat_id: int) -> None:
        """A send to this chat has returned. Telegram counted it somewhere between leaving
        and returning, so the chat's refill starts again now, not when it left: its next
        message never arrives early, however long the request queued on the way."""
        bucket = self.chats.get(chat_id)
        if bucket is not None:
            bucket.updated = max(bucket.updated, asyncio.get_running_loop().time())

    def ready(self, chat_id: int) -> bool:
        """Whether a message to this chat could go now without waiting for its budget."""
        now = asyncio.get_running_loop().time()
        return self._bucket(chat_id).has_token(now) and self.overall.has_token(now)

    async def acquire(self, chat_id: int, count: int = 1) -> None:
        """Wait until `count` messages may go to this chat, then take them."""
        loop = asyncio.get_running_loop()
        for bucket in (self._bucket(chat_id), self.overall):
            # The bucket is taken in turn by many rows: each looks again after its sleep.
            while (delay := bucket.wait_time(loop.time(), count)) > 0:  # noqa: ASYNC110
                await asyncio.sleep(delay)


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asks to wait after a 429 (a timedelta with PTB_TIMEDELTA, see bot/)."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
