from django.contrib import admin

from waymark.core.admin import ReadOnlyAdmin

from .models import Place, Ward


@admin.register(Ward)
class WardAdmin(ReadOnlyAdmin):
    list_display = ["name", "code"]


@admin.register(Place)
class PlaceAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "postcode", "ward"]
    list_filter = ["kind", "ward"]
    search_fields = ["name", "postcode"]
