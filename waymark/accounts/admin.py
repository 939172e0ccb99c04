from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from waymark.core.admin import ReadOnlyAdmin

from .models import Agency, User


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ["name", "sector"]
    search_fields = ["name"]


@admin.register(User)
class WaymarkUserAdmin(ReadOnlyAdmin, UserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "role", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    fieldsets = (*UserAdmin.fieldsets, ("Waymark", {"fields": ("agency", "role", "job_title")}))  # type: ignore[misc]
