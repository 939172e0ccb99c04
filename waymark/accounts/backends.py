"""Grants each user the scoped permissions of their role, on top of Django's own."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .roles import ROLE_PERMISSIONS


class RoleBackend(ModelBackend):
    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        perms = set(super().get_all_permissions(user_obj, obj))
        perms |= ROLE_PERMISSIONS.get(getattr(user_obj, "role", ""), frozenset())
        return perms
