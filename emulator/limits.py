"""Telegram's flood limits, injected faults and the delivery statistics of the emulator.

Flood limits follow core.telegram.org/bots/faq ("My bot is hitting limits, how do I avoid
this?"): about one message per second in a private chat (short bursts allowed), 20 messages
per minute in a group, about 30 messages per second overall. Each is a token bucket on real
monotonic time, so a real sender can be measured against them; the emulated clock of message
dates (:meth:`EmulatorState.advance_clock`) does not move them.

A refused call is answered exactly like Telegram's Bot API server
(``Query::set_retry_after_error``)::

    HTTP 429, Retry-After: N
    {"ok": false, "error_code": 429, "description": "Too Many Requests: retry after N",
     "parameters": {"retry_after": N}}

This module knows nothing about HTTP or the emulated world; :mod:`emulator.server` uses it.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

JsonDict = dict[str, Any]
Monotonic = Callable[[], float]

COUNTED_METHODS = frozenset(
    {
        "sendmessage",
        "senddocument",
        "sendphoto",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)
"""Bot API methods (lower case) that create or edit a message and so count against limits."""

FAULT_KINDS = ("500", "502", "429", "slow", "drop", "done_but_failed")
"""Every fault the emulator can inject, see :class:`FaultPlan`."""

BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
"""What the proxy in front of the Bot API answers when the server behind it is gone."""


def too_many_requests(retry_after: int) -> JsonDict:
    """The Bot API's answer to a call refused by flood control."""
    return {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }


@dataclass
class FloodLimits:
    """Sizes of the three token buckets; ``enabled=False`` switches all of them off.

    ``*_burst`` is how many messages may go out at once, the rate how fast the bucket
    refills. Telegram documents the rates (1/s per private chat, 20/min per group, 30/s
    overall) but not the bursts; tests make them small to stay fast.
    """

    enabled: bool = False
    private_burst: float = 3
    private_per_second: float = 1.0
    group_burst: float = 20
    group_per_minute: float = 20.0
    global_burst: float = 30
    global_per_second: float = 30.0

    def to_json(self) -> JsonDict:
        """Plain JSON form for the control endpoints."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def updated(self, changes: JsonDict) -> FloodLimits:
        """A copy with the given fields changed (unknown names are refused)."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown flood limit settings: {sorted(unknown)}")
        values: JsonDict = {}
        for name, value in changes.items():
            if name == "enabled":
                values[name] = bool(value)
                continue
            number = float(value)
            if not number > 0:
                raise ValueError(f"{name} must be positive")
            values[name] = number
        return replace(self, **values)


class TokenBucket:
    """``capacity`` tokens, refilled at ``rate`` per second; one token per message.

    A call costing more than the capacity (an album of 10 in a private chat) is let through
    when the bucket is full and leaves it in debt, so the calls after it wait longer.
    """

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.updated = now

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def wait(self, cost: float, now: float) -> float:
        """Seconds until a call of ``cost`` messages would be allowed (0: allowed now)."""
        self._refill(now)
        missing = min(cost, self.capacity) - self.tokens
        return missing / self.rate if missing > 1e-9 else 0.0  # 1e-9: float dust

    def take(self, cost: float, now: float) -> None:
        """Spend ``cost`` tokens (the caller checked :meth:`wait` first)."""
        self._refill(now)
        self.tokens -= cost


class FloodControl:
    """The buckets of one bot: one per private chat, one per group, one for the bot."""

    def __init__(self, limits: FloodLimits | None = None, clock: Monotonic = time.monotonic):
        self.clock = clock
        self.limits = limits or FloodLimits()
        self.reset()

    def reset(self) -> None:
        """Forget every bucket: all of them start full again."""
        limits, now = self.limits, self.clock()
        self.overall = TokenBucket(limits.global_burst, limits.global_per_second, now)
        self.chats: dict[int, TokenBucket] = {}

    def configure(self, limits: FloodLimits) -> None:
        """Apply new limits; the buckets start full."""
        self.limits = limits
        self.reset()

    def _bucket(self, chat_id: int, is_group: bool, now: float) -> TokenBucket:
        bucket = self.chats.get(chat_id)
        if bucket is None:
            limits = self.limits
            if is_group:
                bucket = TokenBucket(limits.group_burst, limits.group_per_minute / 60, now)
            else:
                bucket = TokenBucket(limits.private_burst, limits.private_per_second, now)
            self.chats[chat_id] = bucket
        return bucket

    def retry_after(self, chat_id: int | None, is_group: bool, cost: int) -> int | None:
        """Whole seconds (at least 1) the call must wait, or ``None`` when it may go now."""
        if not self.limits.enabled:
            return None
        now = self.clock()
        wait = self.overall.wait(cost, now)
        if chat_id is not None:
            wait = max(wait, self._bucket(chat_id, is_group, now).wait(cost, now))
        if wait <= 0:
            return None
        return max(1, math.ceil(wait))

    def consume(self, chat_id: int | None, is_group: bool, cost: int) -> None:
        """Count an accepted call of ``cost`` messages."""
        if not self.limits.enabled:
            return
        now = self.clock()
        self.overall.take(cost, now)
        if chat_id is not None:
            self._bucket(chat_id, is_group, now).take(cost, now)


@dataclass
class FaultPlan:
    """Which calls fail and how.

    With probability ``rate`` a Bot API call (of ``methods``, case-insensitive; all bot-side
    methods including ``getUpdates`` when ``None``) gets one of ``kinds``:

    * ``"500"``: ``{"ok": false, "error_code": 500, "description": "Internal Server Error"}``
    * ``"502"``: an HTML *502 Bad Gateway* page, as the proxy in front of Telegram sends it
    * ``"429"``: flood control's answer with a ``retry_after`` of 1 to 3 seconds
    * ``"slow"``: the correct answer, after ``slow_seconds`` (client timeouts can fire)
    * ``"drop"``: the connection is closed without any answer
    * ``"done_but_failed"``: the call IS carried out (the user sees the message), then the
      answer is a 502 page or a dropped connection

    Nothing happens for the first five: the call is not carried out. ``seed`` makes a run
    reproducible.
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    seed: int | None = None
    methods: frozenset[str] | None = None
    slow_seconds: float = 3.0

    @classmethod
    def from_json(cls, data: JsonDict | None) -> FaultPlan:
        """Build from the control-side JSON (``None`` or ``{}``: no faults)."""
        if not data:
            return cls()
        unknown = set(data) - {"rate", "kinds", "seed", "methods", "slow_seconds"}
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        rate = float(data.get("rate", 0.0))
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        kinds = tuple(str(kind) for kind in data.get("kinds") or FAULT_KINDS)
        wrong = [kind for kind in kinds if kind not in FAULT_KINDS]
        if wrong:
            raise ValueError(f"unknown fault kinds {wrong}; known: {list(FAULT_KINDS)}")
        methods = data.get("methods")
        seed = data.get("seed")
        slow = float(data.get("slow_seconds", 3.0))
        if slow < 0:
            raise ValueError("slow_seconds must not be negative")
        return cls(
            rate=rate,
            kinds=kinds,
            seed=None if seed is None else int(seed),
            methods=None if methods is None else frozenset(str(m).lower() for m in methods),
            slow_seconds=slow,
        )

    def to_json(self) -> JsonDict:
        """Plain JSON form for the control endpoints."""
        return {
            "rate": self.rate,
            "kinds": list(self.kinds),
            "seed": self.seed,
            "methods": None if self.methods is None else sorted(self.methods),
            "slow_seconds": self.slow_seconds,
        }


@dataclass(frozen=True)
class Fault:
    """One fault chosen for one call."""

    kind: str
    retry_after: int = 0  # for "429"
    ending: str = ""  # for "done_but_failed": "502" or "drop"


class FaultInjector:
    """Draws faults from a :class:`FaultPlan` with its own seeded random generator."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self.configure(plan or FaultPlan())

    def configure(self, plan: FaultPlan) -> None:
        """Use a new plan; the random generator restarts from its seed."""
        self.plan = plan
        self.random = random.Random(plan.seed)

    def draw(self, method: str) -> Fault | None:
        """The fault for a call of ``method`` (any case), or ``None``."""
        plan = self.plan
        if plan.rate <= 0 or not plan.kinds:
            return None
        if plan.methods is not None and method.lower() not in plan.methods:
            return None
        if self.random.random() >= plan.rate:
            return None
        kind = self.random.choice(plan.kinds)
        if kind == "429":
            return Fault(kind, retry_after=self.random.randint(1, 3))
        if kind == "done_but_failed":
            return Fault(kind, ending=self.random.choice(("502", "drop")))
        return Fault(kind)


@dataclass
class ChatCounter:
    """What happened to the bot's messages in one chat (times: seconds since start)."""

    accepted: list[float] = field(default_factory=list)
    too_many_requests: list[float] = field(default_factory=list)

    def to_json(self) -> JsonDict:
        """Plain JSON form for the control endpoints."""
        return {
            "accepted": len(self.accepted),
            "too_many_requests": len(self.too_many_requests),
            "accepted_at": list(self.accepted),
            "too_many_requests_at": list(self.too_many_requests),
        }


class StatsRecorder:
    """Accepted sends and 429 answers per chat, and injected faults by kind.

    An accepted album of N counts N messages, each with the same time. A 429 counts once
    per refused call, whether flood control or fault injection caused it.
    """

    def __init__(self, clock: Monotonic = time.monotonic) -> None:
        self.clock = clock
        self.started = clock()
        self.reset()

    def reset(self) -> None:
        """Start counting from zero (the time origin stays)."""
        self.chats: dict[int, ChatCounter] = {}
        self.faults: Counter[str] = Counter()
        self.accepted_total = 0
        self.too_many_requests_total = 0

    def elapsed(self) -> float:
        """Seconds since the emulator was created."""
        return self.clock() - self.started

    def _chat(self, chat_id: int | None) -> ChatCounter | None:
        if chat_id is None:
            return None
        return self.chats.setdefault(chat_id, ChatCounter())

    def accepted(self, chat_id: int | None, count: int) -> None:
        """Record ``count`` messages created or edited in ``chat_id``."""
        now = self.elapsed()
        self.accepted_total += count
        chat = self._chat(chat_id)
        if chat is not None:
            chat.accepted.extend([now] * count)

    def too_many_requests(self, chat_id: int | None) -> None:
        """Record a 429 answer for a call addressed to ``chat_id``."""
        self.too_many_requests_total += 1
        chat = self._chat(chat_id)
        if chat is not None:
            chat.too_many_requests.append(self.elapsed())

    def fault(self, kind: str) -> None:
        """Record an injected fault."""
        self.faults[kind] += 1

    def to_json(self) -> JsonDict:
        """Plain JSON form for ``GET /_emu/stats``."""
        return {
            "elapsed": self.elapsed(),
            "accepted": self.accepted_total,
            "too_many_requests": self.too_many_requests_total,
            "faults": dict(self.faults),
            "chats": {str(chat_id): chat.to_json() for chat_id, chat in self.chats.items()},
        }


def message_cost(method: str, media_count: int | None) -> int:
    """How many messages a call of ``method`` counts as (0 for uncounted methods)."""
    key = method.lower()
    if key not in COUNTED_METHODS:
        return 0
    if key == "sendmediagroup":
        return max(1, media_count or 1)
    return 1
