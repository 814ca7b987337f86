# Only Babel's message extractors live here; metadata is in pyproject.toml.
from setuptools import setup

setup(
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
            ("**/templates/**.txt", "ckan", None),
        ],
    },
)
