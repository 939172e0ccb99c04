"""Permission primitives shared by the web views and the API.

Roles are expressed as permissions whose codenames carry their scope, for example
`view_assigned_youngperson` (only records the user's agency is involved with) against
`view_all_youngperson`. Views and API views name the permission each action needs; anything
not named is refused.
"""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class RolePermission(BasePermission):
    """Deny by default: an API view must name the permission every action needs.

    `required_permissions` maps an action (`list`, `retrieve`, `create`, ...) or an HTTP method
    to a permission string, or to a tuple of which the user needs any one.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        mapping: dict[str, str | tuple[str, ...]] | None = getattr(
            view, "required_permissions", None
        )
        if mapping is None:
            return False
        # HEAD is GET without the body, so it needs what GET needs.
        method = "GET" if request.method == "HEAD" else request.method or ""
        key = getattr(view, "action", None) or method
        needed = mapping.get(key, mapping.get(method, None))
        if needed is None:
            return False
        if isinstance(needed, str):
            needed = (needed,)
        return any(request.user.has_perm(p) for p in needed)
