"""Services of their own for each pytest-xdist worker (`pytest -n 2`, scripts/test.sh).

Worker `gwN` (PYTEST_XDIST_WORKER, set by xdist) is pointed, through CKAN's own environment
variables and before CKAN's pytest plugin loads the configuration, at:

- the database `<test database>_gwN` (ckan_test_gw0, ckan_test_gw1...),
- the Solr core `<test core>_gwN` (ckan_gw0...), so `clean_index` empties its own index,
- the Redis database number `REDIS_FIRST + N` (jobs, queues, rate limits),
- the storage folder `<ckan.storage_path>-gwN` (uploads, issued documents).

`scripts/stack.sh up` creates the databases and cores for `PYTEST_WORKERS` workers. Without
xdist (`-n 0`, or a plain `pytest`) nothing changes: the stack's own addresses are used.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping

# Redis databases: 1 is the single-process suite's, 2 the demo's, 3 the CKAN core comparison's.
REDIS_FIRST = 4
REDIS_DATABASES = 16  # Redis's default `databases`


def worker_id() -> str | None:
    """`gw0`, `gw1`... in a pytest-xdist worker; None in a single-process run."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def environment(worker: str, settings: Mapping[str, str]) -> dict[str, str]:
    """CKAN's environment variables for `worker`, from the single-process `settings`
    (sqlalchemy.url, solr_url, ckan.redis.url, ckan.storage_path)."""
    number = int(worker.removeprefix("gw"))
    if REDIS_FIRST + number >= REDIS_DATABASES:
        raise RuntimeError(f"no Redis database left for worker {worker}")
    database = urllib.parse.urlsplit(settings["sqlalchemy.url"])
    redis = urllib.parse.urlsplit(settings["ckan.redis.url"])
    return {
        "CKAN_SQLALCHEMY_URL": database._replace(path=f"{database.path}_{worker}").geturl(),
        "CKAN_SOLR_URL": f"{settings['solr_url'].rstrip('/')}_{worker}",
        "CKAN_REDIS_URL": redis._replace(path=f"/{REDIS_FIRST + number}").geturl(),
        "CKAN_STORAGE_PATH": f"{settings['ckan.storage_path'].rstrip('/')}-{worker}",
    }


def single_process_settings(ini: str) -> dict[str, str]:
    """The settings a single-process run would use: the environment's, else the ini's."""
    from ckan.cli import CKANConfigLoader
    from ckan.config.environment import CONFIG_FROM_ENV_VARS

    from_ini = CKANConfigLoader(ini).get_config()
    keys = ("sqlalchemy.url", "solr_url", "ckan.redis.url", "ckan.storage_path")
    return {key: os.environ.get(CONFIG_FROM_ENV_VARS[key]) or from_ini[key] for key in keys}


def missing(env: Mapping[str, str]) -> list[str]:
    """The worker's services that do not answer: its database, its Solr core."""
    import requests
    import sqlalchemy as sa

    problems = []
    database = sa.engine.make_url(env["CKAN_SQLALCHEMY_URL"])
    engine = sa.create_engine(database)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError:
        problems.append(f"database {database.database}")
    finally:
        engine.dispose()
    try:
        requests.get(f"{env['CKAN_SOLR_URL']}/admin/ping", timeout=30).raise_for_status()
    except requests.RequestException:
        problems.append(f"Solr core {env['CKAN_SOLR_URL'].rsplit('/', 1)[-1]}")
    return problems


def configure(ini: str, count: int) -> None:
    """In a worker, point CKAN at the worker's own services (see the module's docstring). In
    the controller of `count` workers, check first that each has its database and core."""
    worker = worker_id()
    if worker is None and not count:
        return
    settings = single_process_settings(ini)
    if worker is not None:
        os.environ.update(environment(worker, settings))
        return
    problems = [
        f"{problem} (worker gw{number})"
        for number in range(count)
        for problem in missing(environment(f"gw{number}", settings))
    ]
    if problems:
        raise RuntimeError(
            f"no {', no '.join(problems)}: start the stack for {count} pytest workers "
            f"(PYTEST_WORKERS={count} scripts/stack.sh up)"
        )
