from django.conf import settings
from django.http import HttpRequest


def waymark(request: HttpRequest) -> dict[str, object]:
    return {"waymark_demo": settings.WAYMARK_DEMO}
