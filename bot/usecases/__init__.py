"""Use cases: what officials and administrators can do, independent of Telegram.

One module per feature; each use case is a function taking `base.Services` first and
keyword-only arguments after it. It opens one session, loads what it needs, asks the pure
engine, writes the result and commits once. Results are plain values (`views`), never open
database rows, so a caller can send Telegram messages after the session has closed.

- `base`: `Services`, `build_services`, and the checks several use cases share
- `errors`: why a use case refused
- `views`: the values use cases return, and the builders that make them from rows
- `agencies`: the agencies (instansi) one bot serves, and the SOPs each may run
- `officials`: positions, registering officials, who may do what, whose drafts they see
- `invites`: one-time registration links
- `drafts`: starting a draft, and every action on it (`act`)
- `returns`: sending a task back, with the reason typed in the next message
- `uploads`: which outputs a file may be for, and files waiting for that choice
- `reading`: open tasks, status, audit trail
- `sops`: an SOP as officials read it (/sop): its flowchart picture and its table
- `reminders`: the next alarm, and claiming what has fallen due
"""
