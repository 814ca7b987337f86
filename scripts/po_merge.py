#!/usr/bin/env python3
"""Git merge driver for gettext catalogues: the union of both sides' messages.

Parallel branches each add messages to the .pot and translations to the French .po; a
textual merge conflicts on every hunk. This keeps every message of either side (ours wins
where both translate the same msgid) and writes the result over ours. Run
`scripts/i18n.sh` afterwards: it drops messages no longer in the code and recompiles the .mo.

Registered by `scripts/dev_setup.sh` as: git config merge.po-union.driver
"python3 scripts/po_merge.py %O %A %B"  (see .gitattributes).
"""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def main(base: str, ours: str, theirs: str) -> int:
    with open(ours, "rb") as f:
        ours_catalog = read_po(f)
    with open(theirs, "rb") as f:
        theirs_catalog = read_po(f)
    for message in theirs_catalog:
        if not message.id:
            continue
        mine = ours_catalog.get(message.id, message.context)
        if mine is None:
            ours_catalog[message.id] = message
        elif not mine.string or (isinstance(mine.string, tuple) and not any(mine.string)):
            mine.string = message.string
    with open(ours, "wb") as f:
        write_po(f, ours_catalog, width=80)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
