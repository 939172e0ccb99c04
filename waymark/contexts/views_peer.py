"""Web pages for peer groups and early warnings. Thin: services and selectors do the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .peer_alerts import peer_alert_acknowledge, peer_alert_list_for


@login_required
@permission_required("contexts.change_peeralert", raise_exception=True)
@require_POST
def peer_alert_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    alert = peer_alert_list_for(user=request.user).filter(pk=pk).first()
    if alert is None:
        raise Http404("No open alert with that id for your agency")
    try:
        peer_alert_acknowledge(actor=request.user, alert=alert, note=request.POST.get("note", ""))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("dashboard")
    messages.success(request, f"Alert about {alert.young_person.reference} acknowledged")
    return redirect("dashboard")
