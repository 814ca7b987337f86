"""CKAN's WSGI application for a production server (gunicorn, uWSGI), built from the
configuration file named by CKAN_INI (default: test.ini beside this folder).

    CKAN_INI=/path/to/ckan.ini gunicorn -w 2 -b 127.0.0.1:8765 --chdir scripts wsgi:application
"""

from __future__ import annotations

import os
import pathlib

from ckan.cli import load_config
from ckan.config.middleware import make_app

_default = pathlib.Path(__file__).resolve().parents[1] / "test.ini"
application = make_app(load_config(os.environ.get("CKAN_INI") or str(_default)))
