"""The alarm clock: a JobQueue job set for the next reminder in the database.

The database holds every reminder; the job only wakes the bot when the earliest one falls
due. Claiming a reminder and owing its messages are one transaction; the sender delivers
them. `arm` is called at start-up (which also sends, once, what fell due while the bot was
down) and after every action that may plan or cancel reminders.
"""

from __future__ import annotations

import logging

from bot.usecases import reminders
from handlers.context import BotApplication, BotContext

log = logging.getLogger(__name__)

JOB_NAME = "pengingat"
RETRY_SECONDS = 60.0
"""After a failed run, the next try waits this long."""


async def deliver_reminders(context: BotContext) -> None:
    """Claim every reminder whose time has come, then set the alarm for the next one."""
    retry_after = RETRY_SECONDS  # until the claim below has run through
    try:
        await context.call(reminders.deliver_due_reminders)
        retry_after = 0.0
    finally:
        # Whatever happened, the alarm is set again; after a failure, not in a tight loop.
        arm(context.application, min_delay=retry_after)


def arm(application: BotApplication, *, min_delay: float = 0.0) -> None:
    """(Re)set the one reminder job to the earliest waiting reminder."""
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is required"
    services = application.bot_data.services
    for job in job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    next_at = reminders.next_reminder_at(services)
    if next_at is None:
        return
    delay = max(min_delay, (next_at - services.clock()).total_seconds())
    job_queue.run_once(deliver_reminders, when=delay, name=JOB_NAME)
