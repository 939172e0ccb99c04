from django.contrib import admin

from .models import Place, Ward


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "postcode", "ward"]
    list_filter = ["kind", "ward"]
    search_fields = ["name", "postcode"]
