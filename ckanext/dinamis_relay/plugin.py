from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultTranslation

from . import signals
from .documents import jobs as document_jobs
from .labels import DinamisPermissionLabels
from .personal_data import hooks as personal_data_hooks


@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.validators
@tk.blanket.cli
@tk.blanket.config_declarations
class DinamisRelayPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.ISignal)
    p.implements(p.IPermissionLabels, inherit=True)

    # IConfigurer

    def update_config(self, config: CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        # Leaflet's images, where the rewritten URLs of its CSS point (/leaflet/images/...).
        tk.add_public_directory(config, "assets/vendor")
        tk.add_resource("assets", "dinamis_relay")

    # ISignal

    def get_signal_subscriptions(self) -> dict:
        return {
            signals.adhesion_transition: [document_jobs.on_adhesion_transition],
            tk.signals.action_succeeded: [
                {"sender": "user_delete", "receiver": personal_data_hooks.on_user_deleted}
            ],
        }

    # IPermissionLabels: DINAMIS imagery datasets (labels.py)

    _labels = DinamisPermissionLabels()

    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        return self._labels.get_dataset_labels(dataset_obj)

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        return self._labels.get_user_dataset_labels(user_obj)
