"""Scale data generator: `ckan dinamis-relay generate-scale-data`.

Fills a real PostgreSQL database with a regional relay at full size (DOMAIN.md, "Scale to
design for"): 1,000 entities, 50,000 accounts, 1,000,000 downloads, 20,000 imagery requests,
with their audit trail, over the last 24 months; ten times that at national scale in a few
minutes. It is meant for a database kept for benchmarks, never for a production site.

Why it writes rows directly: going through `user_create` and the adhesion and account
actions for 50,000 people would take hours. CKAN's `user`, `group` and `member` rows and the
plugin's rows are written with PostgreSQL COPY, shaped as the actions shape them (same
states, timestamps in order, audit events for every transition, memberships for active
accounts, numbers from the gap-free counters). Every generated CKAN user shares one password
hash; generated users and organizations carry the `scale-` name prefix.

Parts: `vocabulary` (names and words), `rows` (sizes, ids, COPY), `base` (what every step
shares), `organizations`, `people` and `activity` (the steps), `store` (writing it all).
"""

from .rows import Sizes
from .store import Generator, generate
from .vocabulary import PREFIX

__all__ = ["PREFIX", "Generator", "Sizes", "generate"]
