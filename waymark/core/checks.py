"""System checks for the core primitives: run by `manage.py check`, `migrate` and the server."""

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core import checks

from .fields import EncryptedMixin
from .models import EncryptedModel, EncryptedQuerySet


@checks.register(checks.Tags.models)
def encrypted_models_allocate_ids(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """A model with encrypted fields must know a new row's id before INSERT (ADR 0011)."""
    return encrypted_model_problems(apps.get_models())


def encrypted_model_problems(models: Iterable[Any]) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    for model in models:
        if not any(isinstance(f, EncryptedMixin) for f in model._meta.concrete_fields):
            continue
        if not issubclass(model, EncryptedModel):
            found.append(
                checks.Error(
                    f"{model._meta.label} has encrypted fields but does not inherit "
                    "EncryptedModel, so a new row cannot have its values encrypted for it.",
                    hint="Add waymark.core.models.EncryptedModel to its bases (ADR 0011).",
                    obj=model,
                    id="waymark.E001",
                )
            )
        elif not isinstance(model._default_manager.all(), EncryptedQuerySet):
            found.append(
                checks.Error(
                    f"{model._meta.label}'s default manager does not build on "
                    "EncryptedQuerySet, so its bulk_create() cannot allocate ids.",
                    hint="Base its QuerySet on waymark.core.models.EncryptedQuerySet (ADR 0011).",
                    obj=model,
                    id="waymark.E002",
                )
            )
    return found
