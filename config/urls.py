from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/", include("waymark.web.api_urls")),
    path("", include("waymark.web.urls")),
]
# Off in production unless WAYMARK_ADMIN_ENABLED switches it on.
if settings.WAYMARK_ADMIN_ENABLED:
    urlpatterns.insert(1, path("admin/", admin.site.urls))

handler404 = "waymark.web.errors.page_not_found"
