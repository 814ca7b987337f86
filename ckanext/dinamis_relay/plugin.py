from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultTranslation

from .access import visibility
from .access.permission_labels import DinamisPermissionLabels
from .notifications import outbox
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
    p.implements(p.IConfigurable)
    p.implements(p.IForkObserver)
    p.implements(p.ISignal)
    p.implements(p.ITranslation)
    p.implements(p.IPermissionLabels, inherit=True)
    p.implements(p.IPackageController, inherit=True)

    # IConfigurer

    def update_config(self, config: CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        # Leaflet's images, where the rewritten URLs of its CSS point (/leaflet/images/...).
        tk.add_public_directory(config, "assets/vendor")
        tk.add_resource("assets", "dinamis_relay")

    # IConfigurable

    def configure(self, config: CKANConfig) -> None:
        # Outbox rows written in a transaction are queued once it commits (notifications/).
        outbox.listen()

    # IForkObserver: called in the job worker before it forks for each job

    def before_fork(self) -> None:
        # Fonts and stylesheet loaded once in the worker, inherited by every document job
        # (about 3 s of CPU per job otherwise: WeasyPrint's import and font loading).
        from .notifications.worker import prepare_renderer

        prepare_renderer()

    # ISignal: erasing what the plugin holds about a deleted user (personal_data/). Documents
    # and emails follow transitions through the outbox (notifications/), not signals.

    def get_signal_subscriptions(self) -> dict:
        return {
            tk.signals.action_succeeded: [
                {"sender": "user_delete", "receiver": personal_data_hooks.on_user_deleted}
            ],
        }

    # IPermissionLabels: DINAMIS imagery datasets (access/permission_labels.py)

    _labels = DinamisPermissionLabels()

    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        # The "metadata" visibility mode also makes DINAMIS datasets public (visibility.py).
        return visibility.dataset_labels(self._labels.get_dataset_labels(dataset_obj), dataset_obj)

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        return self._labels.get_user_dataset_labels(user_obj)

    # IPackageController: no resource URL of a discoverable DINAMIS dataset in the index

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return visibility.strip_index(pkg_dict)
