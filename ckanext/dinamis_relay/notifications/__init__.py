"""Emails of the plugin, through the outbox.

- `outbox`: rows written in the transaction of a transition (`enqueue`), queued after its
  commit (`dispatch`), run by the job worker (`deliver`), swept and counted;
- `mailing`: recipients, rendering, one SMTP connection per job;
- one module per object (`adhesion`, `account`, `imagery`): which emails a change calls
  for, and the jobs that render and send them.
"""

from .outbox import dispatch, enqueue

__all__ = ["dispatch", "enqueue"]
