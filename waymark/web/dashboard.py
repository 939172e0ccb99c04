"""The dashboard: what a worker sees first after signing in.

It draws on people, concerns and peer groups, so it lives above all of them.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from waymark.casework.cases.selectors import case_reviews_for
from waymark.casework.partners.selectors import refresh_state, training_refresh_due
from waymark.concerns.selectors import (
    association_list_held_for_review_by,
    concern_list_recent_by,
    concern_notice_list_visible_to,
    young_people_recorded_about_by,
)
from waymark.contexts.peer_groups.alerts import peer_alert_list_for
from waymark.people.selectors import (
    break_glass_list_for_managers_of,
    involvement_request_list_awaiting,
)


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
            # Recording is not reading (ADR 0010): what other agencies told this one, links held
            # for its review, and requests to be involved awaiting a manager's decision. All name
            # young people by reference only.
            "notices": concern_notice_list_visible_to(user=request.user)[:20],
            "held_links": association_list_held_for_review_by(user=request.user)[:20],
            "involvement_requests": involvement_request_list_awaiting(user=request.user)[:20],
            # Context cases: overdue reviews of the cases the user leads (and, for a manager,
            # that their agency leads), beside those on time.
            "case_reviews": case_reviews_for(user=request.user, today=timezone.localdate()),
            # Partners: refreshes of training due for the partners this agency works with.
            "partner_training_due": _partner_training_due(request),
        },
    )


# --- Partners: training due -----------------------------------------------------------------


def _partner_training_due(request: HttpRequest) -> list[tuple[Any, Any]]:
    """Refreshes due soon or overdue for partners whose relationship the user's agency owns."""
    user: Any = request.user
    if user.agency_id is None or not user.has_perm("casework.view_partner"):
        return []
    today = timezone.localdate()
    return [
        (record, refresh_state(record, today=today))
        for record in training_refresh_due(agency=user.agency, today=today)[:20]
    ]
