"""Test helpers that work the same on CKAN 2.11 and CKAN 2.12."""

from __future__ import annotations

from typing import Any


def keep_cookies(app: Any) -> None:
    """Make CKAN's test app keep its cookies from one request to the next.

    CKAN 2.12's test app does; CKAN 2.11's opens a new client, without cookies, for each
    request, so a CSRF token read from a page would not match the next POST's session.
    """
    if not hasattr(app, "set_session_user"):
        _keep_one_client(app, {})


def login_as(app: Any, user: dict[str, Any] | None) -> None:
    """Make the following requests of `app` as `user` (None: anonymous), with a new session.

    CKAN 2.12: its `set_session_user`. CKAN 2.11 has none: the user name goes in every
    request's `REMOTE_USER`, which CKAN 2.11 (with `testing = true`) turns into the session's
    user, as CKAN 2.11's own view tests do. CSRF protection stays on either way (CKAN only
    lifts it for API tokens).
    """
    if hasattr(app, "set_session_user"):
        app.set_session_user(user["id"] if user else None)
    else:
        _keep_one_client(app, {"REMOTE_USER": user["name"]} if user else {})


def _keep_one_client(app: Any, environ: dict[str, str]) -> None:
    client = type(app).test_client(app)
    if environ:
        plain_open = client.open

        def open_with_environ(*args: Any, **kwargs: Any) -> Any:
            # Only for a request by URL: werkzeug re-opens an EnvironBuilder to follow
            # redirects, and the session cookie already carries the user by then.
            if args and isinstance(args[0], str):
                extra = kwargs.pop("extra_environ", None) or {}
                kwargs["environ_overrides"] = {
                    **environ,
                    **extra,
                    **(kwargs.get("environ_overrides") or {}),
                }
            return plain_open(*args, **kwargs)

        client.open = open_with_environ
    app.test_client = lambda *args, **kwargs: client


def work_off_queue(queues: list[str] | None = None) -> None:
    """Run, in this process, every job queued so far on `queues` (default: all the plugin's,
    in the order workers serve them)."""
    import ckan.lib.jobs as jobs

    # The worker is given the queue's Redis connection: RQ 1.x (CKAN 2.11) would otherwise
    # look for the one CKAN pushed on RQ's thread-local stack when the queue was first
    # made, which is missing when that happened in another thread (a browser test's server).
    from ckanext.dinamis_relay.notifications import outbox

    worker = jobs.Worker(queues or outbox.served_queues(), connection=jobs.get_queue().connection)
    worker.work(burst=True)
