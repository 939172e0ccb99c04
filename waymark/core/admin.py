"""Django's admin, read-only.

Every write in Waymark goes through a service, which validates it and writes its audit event
(agencies and users: `waymark createagency` / `createuser`; places: the Places pages and API).
The admin's own forms would save straight to the tables with no audit, so the admin may look
but never add, change or delete. Production switches it off altogether unless
WAYMARK_ADMIN_ENABLED is set.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
