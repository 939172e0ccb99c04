"""Web pages for peer groups and early warnings. Thin: services and selectors do the work.

Every page that shows a young person's name (or strengths) writes one audit event per young
person shown. The peer map is drawn by `waymark/static/waymark/peer-map.js` from the same data as
the tables beside it, so the page works without JavaScript.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from waymark.accounts.refusals import access_refused
from waymark.audit.services import audit_record_many
from waymark.contexts.models import DetectedGroup
from waymark.core.forms import form_add_service_errors
from waymark.core.references import reference_normalise
from waymark.core.tables import query_without, table_sort
from waymark.people.models import YoungPerson
from waymark.people.naming import people_shown
from waymark.people.selectors import young_person_get_visible_to, young_person_has_involvement

from .alerts import peer_alert_acknowledge, peer_alert_list_for
from .forms import PeerGroupFilterForm, PeerGroupSaveForm
from .network import WINDOW_DAYS, peer_groups_refresh
from .peer_map import (
    LINE_STYLE,
    PERSON_OF_CONCERN,
    YOUNG_PERSON,
    NetworkNode,
    PeerNetwork,
    group_network,
    young_person_network,
)
from .selectors import (
    detected_group_get_visible_to,
    detected_group_list_visible_to,
    detected_group_profile,
    group_summaries,
    key_connections_for,
    peer_group_get_visible_to,
    peer_group_list_visible_to,
    peer_group_profile,
)
from .services import peer_group_save

# Colours of groups on the peer map and in its key, after Okabe and Ito's palette so that most
# colour-blind readers can tell them apart (its yellow darkened for contrast on white, a purple
# for its black, which marks persons of concern). A group's colour repeats every eight numbers;
# the table beside the map names every person's group.
GROUP_COLOURS = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#8a7a00", "#6f3c99",
]  # fmt: skip
NO_GROUP_COLOUR = "#b1b4b6"
PERSON_OF_CONCERN_COLOUR = "#0b0c0c"
# Sortable columns of the list of groups: query value -> (heading, key for ascending order).
SORTS: dict[str, tuple[str, Any]] = {
    "number": ("Group", lambda s: s.group.number),
    "vulnerability": ("Vulnerability", lambda s: (s.vulnerability_rank, s.size)),
    "size": ("Members", lambda s: s.size),
    "exploitation": ("Open exploitation concerns", lambda s: (s.open_exploitation_percent, s.size)),
    "persons_of_concern": (
        "Persons of concern linked",
        lambda s: (s.flagged_persons_of_concern, s.persons_of_concern),
    ),
}


def _colour_index(group: int | None) -> int | None:
    return None if group is None else (group - 1) % len(GROUP_COLOURS)


def _audit_names(request: HttpRequest, people: list[YoungPerson], what: str) -> None:
    """One event per young person whose name or strengths the page shows."""
    unique = {p.pk: p for p in people}
    if unique:
        audit_record_many(
            actor=request.user,
            action="view",
            objs=[unique[pk] for pk in sorted(unique)],
            purpose=f"{what}: {request.get_full_path()}"[:500],
        )


@dataclass(frozen=True)
class NodeRow:
    node: NetworkNode
    url: str  # the person's page, where the viewer may open it
    colour: int | None  # index into GROUP_COLOURS, None for no group
    links: int

    @property
    def map_colour(self) -> str:
        if self.node.kind == PERSON_OF_CONCERN:
            return PERSON_OF_CONCERN_COLOUR
        return NO_GROUP_COLOUR if self.colour is None else GROUP_COLOURS[self.colour]


def _map_context(request: HttpRequest, network: PeerNetwork) -> dict[str, Any]:
    """The tables' rows and the map's data: the same nodes and links."""
    may_see_pocs = request.user.has_perm("people.view_personofconcern")

    def url(node: NetworkNode) -> str:
        if node.kind == PERSON_OF_CONCERN:
            return (
                reverse("person-of-concern-detail", args=[node.reference]) if may_see_pocs else ""
            )
        return reverse("young-person-detail", args=[node.reference]) if node.visible else ""

    degree: Counter[str] = Counter()
    for link in network.links:
        degree.update((link.source, link.target))
    labels = {n.id: n.label for n in network.nodes}
    nodes = [NodeRow(n, url(n), _colour_index(n.group), degree[n.id]) for n in network.nodes]
    data = {
        "nodes": [
            {
                "id": row.node.id,
                "label": row.node.label,
                "kind": row.node.kind,
                "group": row.node.group,
                "focus": row.node.focus,
                "url": row.url,
                "colour": row.map_colour,
            }
            for row in nodes
        ],
        "links": [
            {
                "id": link.id,
                "source": link.source,
                "target": link.target,
                "style": link.line_style,
                "label": (
                    f"{link.kind_label}, {link.reliability_label.lower()}"
                    if link.details
                    else link.kind_label
                ),
            }
            for link in network.links
        ],
    }
    return {
        "network": network,
        "node_rows": nodes,
        "link_rows": [
            {"link": link, "from": labels[link.source], "to": labels[link.target]}
            for link in network.links
        ],
        "map_data": data,
        "key_groups": [(g, _colour_index(g)) for g in network.groups],
        "has_ungrouped": any(n.group is None and n.kind == YOUNG_PERSON for n in network.nodes),
        "line_styles": [(r.label, style) for r, style in LINE_STYLE.items()],
        "has_undisclosed": any(not link.details for link in network.links),
    }


@login_required
@permission_required("contexts.view_peer_network", raise_exception=True)
def peer_group_list_page(request: HttpRequest) -> HttpResponse:
    run = peer_groups_refresh()
    form = PeerGroupFilterForm(request.GET if "vulnerability" in request.GET else None)
    groups = detected_group_list_visible_to(user=request.user)
    if form.is_bound and form.is_valid() and form.cleaned_data["vulnerability"]:
        groups = groups.filter(vulnerability=form.cleaned_data["vulnerability"])
    table = table_sort(
        rows=group_summaries(user=request.user, groups=list(groups)),
        columns=SORTS,
        query=request.GET,
        # Most vulnerable first, then largest: what a panel looks at first.
        default_key=lambda s: (-s.vulnerability_rank, -s.size, s.group.number),
    )
    key = key_connections_for(user=request.user)
    _audit_names(request, key.shown, "Peer groups: key connections")
    return render(
        request,
        "contexts/peer_groups.html",
        {
            "form": form,
            "run": run,
            "rows": table.rows,
            "headings": table.headings,
            "filter_query": query_without(request.GET, "sort", "order"),
            "key": key,
            "saved": peer_group_list_visible_to(user=request.user).order_by("name"),
            "window_days": WINDOW_DAYS,
        },
    )


@login_required
@permission_required("contexts.view_peer_network", raise_exception=True)
@require_http_methods(["GET", "POST"])
def peer_group_page(request: HttpRequest, number: int) -> HttpResponse:
    peer_groups_refresh()
    try:
        group = detected_group_get_visible_to(user=request.user, number=number)
    except DetectedGroup.DoesNotExist:
        raise Http404("No peer group has that number") from None
    form = PeerGroupSaveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not request.user.has_perm("contexts.add_peergroup"):
            raise PermissionDenied
        if form.is_valid():
            try:
                saved = peer_group_save(
                    actor=request.user,
                    detected_group=group,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, f"{group} saved as the peer group {saved.name}")
                return redirect("peer-group-saved", reference=saved.reference)
    members = list(group.memberships.values_list("young_person_id", flat=True))
    profile = detected_group_profile(user=request.user, group=group)
    network = group_network(user=request.user, members=members)
    _audit_names(request, [*profile.shown, *network.shown], f"Peer map of {group}")
    return render(
        request,
        "contexts/peer_group_detail.html",
        {
            "group": group,
            "profile": profile,
            "form": form,
            "saved_as": peer_group_list_visible_to(user=request.user).filter(detected_group=group),
            **_map_context(request, network),
        },
    )


@login_required
@permission_required("contexts.view_peergroup", raise_exception=True)
def peer_group_saved_page(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        saved = peer_group_get_visible_to(user=request.user, reference=reference)
    except ObjectDoesNotExist:
        access_refused(request, object_type="contexts.peergroup", object_id=reference)
        raise Http404("No saved peer group has that reference") from None
    memberships = list(saved.memberships.select_related("added_by").order_by("young_person_id"))
    shown = people_shown(user=request.user, young_people=[m.young_person_id for m in memberships])
    profile = peer_group_profile(user=request.user, peer_group=saved)
    network = group_network(user=request.user, members=list(shown))
    _audit_names(request, [*profile.shown, *network.shown], f"Peer group {saved.reference}")
    members = sorted(
        ((shown[m.young_person_id], m) for m in memberships),
        key=lambda pair: (not pair[0].visible, pair[0].label.lower()),
    )
    return render(
        request,
        "contexts/peer_group_saved.html",
        {
            "saved": saved,
            "profile": profile,
            "members": members,
            **_map_context(request, network),
        },
    )


@login_required
@permission_required("contexts.view_peer_network", raise_exception=True)
def young_person_network_page(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        person = young_person_get_visible_to(user=request.user, reference=reference)
    except ObjectDoesNotExist:
        # As the young person's own page: how to share or ask to be involved, nothing more.
        access_refused(request, object_type="people.youngperson", object_id=reference)
        involved = young_person_has_involvement(reference=reference)
        if involved is None:
            raise Http404("No young person has that reference") from None
        return render(
            request,
            "people/young_person_restricted.html",
            {"reference": reference_normalise(reference), "involved": involved},
            status=403,
        )
    peer_groups_refresh()
    network = young_person_network(user=request.user, young_person=person)
    _audit_names(request, [person, *network.shown], f"Network of {person.reference}")
    return render(
        request,
        "contexts/peer_network.html",
        {"person": person, **_map_context(request, network)},
    )


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
