"""bot."""

import os

# python-telegram-bot 22 hands out time periods (RetryAfter.retry_after, ...) as int seconds
# with a PTBDeprecationWarning, unless this opts in to datetime.timedelta, their type from
# its next major version on. Set before any of them is read: importing `bot` sets it.
os.environ["PTB_TIMEDELTA"] = "true"
