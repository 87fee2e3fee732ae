"""The alarm clock: a JobQueue job set for the next reminder in the database, or the next
end of an acting official's period (Plh., Plt.).

The database holds every reminder and period; the job only wakes the bot when the earliest
one falls due. Claiming a reminder (or a period's end) and owing its messages are one
transaction; the sender delivers them. `arm` is called at start-up (which also sends, once,
what fell due while the bot was down), after every action that planned or cancelled
reminders (`rearm`), and after a period was set.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from bot.usecases import acting, reminders
from bot.usecases.views import Outcome
from handlers.context import BotApplication, BotContext

log = logging.getLogger(__name__)

JOB_NAME = "pengingat"
RETRY_SECONDS = 60.0
"""After a failed run, the next try waits this long."""
SKIPPED_SECONDS = 0.5
"""After a run, a reminder still due waits this long: another process was sending it, or
its draft was being changed (PostgreSQL skips what is locked), and it must not be read
again and again until that transaction ends."""


async def deliver_reminders(context: BotContext) -> None:
    """Claim every reminder (and every acting period's end) whose time has come, then set
    the alarm for the next one."""
    retry_after = RETRY_SECONDS  # until the claims below have run through
    try:
        # Periods end first: a reminder due at the same moment goes to the holder again.
        await context.call(acting.end_due_periods)
        await context.call(reminders.deliver_due_reminders)
        retry_after = SKIPPED_SECONDS
    finally:
        # Whatever happened, the alarm is set again; after a failure, not in a tight loop.
        await arm(context.application, min_delay=retry_after)


async def arm(application: BotApplication, *, min_delay: float = 0.0) -> None:
    """(Re)set the one reminder job to the earliest waiting reminder (read in a thread)."""
    services = application.bot_data.services
    arm_at(application, await asyncio.to_thread(reminders.next_reminder_at, services), min_delay)


def rearm(application: BotApplication, outcome: Outcome) -> None:
    """After an action: set the alarm again only if the action planned or cancelled
    reminders, to the time its use case read in its own transaction.

    Actions in flight at once may come here in another order than they committed: an
    alarm already set earlier is kept (one that rings for nothing only reads again),
    so that an older reading never puts off a reminder a newer action planned.
    """
    if outcome.reminders_changed:
        arm_at(application, outcome.next_reminder_at, keep_earlier=True)


def arm_at(
    application: BotApplication,
    next_at: datetime | None,
    min_delay: float = 0.0,
    *,
    keep_earlier: bool = False,
) -> None:
    """Set the one reminder job to `next_at` (none when None)."""
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is required"
    services = application.bot_data.services
    delay = None
    if next_at is not None:
        delay = max(min_delay, (next_at - services.clock()).total_seconds())
    jobs = job_queue.get_jobs_by_name(JOB_NAME)
    if keep_earlier and any(_rings_before(job.next_t, delay) for job in jobs):
        return
    for job in jobs:
        job.schedule_removal()
    if delay is None:
        return
    job_queue.run_once(deliver_reminders, when=delay, name=JOB_NAME)


def _rings_before(at: datetime | None, delay: float | None) -> bool:
    """Whether an alarm set for `at` rings no later than `delay` seconds from now."""
    if at is None:
        return False
    return delay is None or (at - datetime.now(UTC)).total_seconds() <= delay
