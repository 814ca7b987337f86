"""A fixed-window counter per client address in Redis, shared by every web worker."""

from __future__ import annotations

import logging
import time

import flask
from ckan.lib.redis import connect_to_redis

log = logging.getLogger(__name__)


def client_address() -> str | None:
    """The caller's address inside a web request (CKAN's proxy settings apply); None outside
    one (the CLI and jobs are not limited)."""
    if not flask.has_request_context():
        return None
    return flask.request.remote_addr or "unknown"


def allow(name: str, per_minute: int) -> bool:
    """Count one use of `name` by the current client; False once past `per_minute`.

    Redis down: allowed (the check is bounded anyway) and logged.
    """
    address = client_address()
    if per_minute <= 0 or address is None:
        return True
    key = f"dinamis_relay:rate:{name}:{address}:{int(time.time() // 60)}"
    try:
        redis = connect_to_redis()
        pipe = redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, 120)
        count = int(pipe.execute()[0])
    except Exception:
        log.exception("Rate limit of %s not applied (Redis)", name)
        return True
    return count <= per_minute
