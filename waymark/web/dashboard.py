"""The dashboard: what a worker sees first after signing in.

It draws on people, concerns and peer groups, so it lives above all of them.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from waymark.concerns.selectors import concern_list_recent_by, young_people_recorded_about_by
from waymark.contexts.peer_groups.alerts import peer_alert_list_for
from waymark.people.selectors import break_glass_list_for_managers_of


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    # Each young person is labelled by the naming primitive in the template.
    alerts = list(peer_alert_list_for(user=request.user)[:20])
    return render(
        request,
        "accounts/dashboard.html",
        {
            "peer_alerts": alerts,
            "recent_concerns": concern_list_recent_by(user=request.user, limit=10),
            "young_people": young_people_recorded_about_by(user=request.user, limit=12),
            "break_glass": break_glass_list_for_managers_of(user=request.user),
        },
    )
