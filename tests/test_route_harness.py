"""The permission harness: every route in Waymark, checked for who may and may not use it.

Each route has an entry below. The suite fails when a route has none, so a new page or endpoint
cannot ship without saying who may see it. For each entry it checks:

1. an anonymous user is refused (sent to sign in, or 401/403 from the API);
2. a practitioner of another agency with no involvement is refused (403 or 404) where the route
   shows a young person's record, and on every route finds none of the world's identifying data
   in the body, HTML, JSON or GeoJSON: the children's names, dates of birth (in every format a
   page or the API writes them) and NHS numbers, the concern's narrative and the person of
   concern's name;
3. the permitted user gets the page or record;
4. the permitted user's response writes an audit event, in that very request, for each record
   whose identifying data it shows: lists, maps and dashboards as much as a record's own page.
   The check is generic, so a new route is held to it as soon as it has an entry.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import h3
import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.html import escape
from knox.models import AuthToken
from rest_framework.test import APIClient

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.audit.models import AuditEvent
from waymark.casework.models import CaseLink, ContextCase, Partner
from waymark.casework.partners.services import (
    guardianship_add,
    partner_contact_add,
    partner_create,
    training_record_add,
)
from waymark.casework.tests.factories import (
    ContextPlanFactory,
    OnlineSpaceFactory,
    OpenCaseFactory,
    ReferralFactory,
)
from waymark.casework.tests.factories_partners import partner_action_make
from waymark.concerns.models import Association, ConcernNotice
from waymark.concerns.selectors import association_list_held_for_review_by
from waymark.concerns.services import association_review
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.models import DetectedGroupMember, PeerAlert, PeerGroup
from waymark.contexts.peer_groups.network import peer_groups_refresh
from waymark.contexts.peer_groups.services import peer_group_save
from waymark.contexts.tests.factories import PlaceFactory, WardFactory
from waymark.people.access import InvolvementRequest
from waymark.people.services import involvement_request_create
from waymark.people.tests.factories import PersonFlagFactory, YoungPersonFactory

# What must never reach a user without involvement. Made-up names no factory will produce.
GIVEN, FAMILY, NHS = "Zarathustra", "Quinlan-Okonkwo", "9434765919"
BORN = datetime.date(2011, 5, 23)
OTHER_GIVEN, OTHER_FAMILY = "Leopoldine", "Ashcombe-Varga"
OTHER_BORN = datetime.date(2012, 3, 9)
NARRATIVE = "seen getting into a silver hatchback outside the arcade"
POC_NAMES = "Crispin Thornwhistle"


def born_as_written(day: datetime.date) -> list[str]:
    """A date of birth in every form a page or the API writes a date."""
    return [
        day.isoformat(),
        day.strftime("%d/%m/%Y"),
        f"{day.day} {day:%B %Y}",
        f"{day.day} {day:%b %Y}",
        f"{day:%d %B %Y}",
        f"{day:%d %b %Y}",
    ]


@dataclass
class World:
    practitioner: Any
    manager: Any
    outsider: Any
    young_person: Any
    other_young_person: Any
    place: Any
    ward: Any
    concern: Any
    association: Any
    person_of_concern: Any
    agency: Any
    # A child the outsider's agency works with, named with Zara in a concern the outsider may
    # therefore see: the pages about it must show Zara by reference only.
    known_to_outsider: Any
    shared_concern: Any


@pytest.fixture
def world(db) -> World:
    agency = AgencyFactory(name="Eastbridge Children's Services")
    police = AgencyFactory(name="Midshire Police", sector="police")
    practitioner = UserFactory(username="sam", agency=agency, role=Role.PRACTITIONER)
    manager = UserFactory(username="morgan", agency=agency, role=Role.MANAGER)
    outsider: Any = UserFactory(username="alex", agency=police, role=Role.PRACTITIONER)
    zara = YoungPersonFactory(
        given_name=GIVEN,
        family_name=FAMILY,
        nhs_number=NHS,
        date_of_birth=BORN,
        created_by_agency=agency,
    )
    leo = YoungPersonFactory(
        given_name=OTHER_GIVEN,
        family_name=OTHER_FAMILY,
        date_of_birth=OTHER_BORN,
        created_by_agency=agency,
    )
    ward = WardFactory(name="Riverside")
    place = PlaceFactory(name="Riverside Arcade", ward=ward)
    flag = PersonFlagFactory(person__names=POC_NAMES, person__nicknames="")
    concern = concern_make(
        actor=practitioner,
        young_people=[zara, leo],
        place=place,
        persons_of_concern=[flag.person],
        narrative=f"Both {NARRATIVE}.",
    )
    sol = YoungPersonFactory(created_by_agency=police)
    shared = concern_make(actor=practitioner, young_people=[zara, sol])
    # Children's services is not involved with Sol, so the link its concern draws is held until
    # the police, who are, accept it (recording is not reading).
    for held in association_list_held_for_review_by(user=outsider):
        association_review(actor=outsider, association=held, accept=True)
    return World(
        practitioner=practitioner,
        manager=manager,
        outsider=outsider,
        young_person=zara,
        other_young_person=leo,
        place=place,
        ward=ward,
        concern=concern,
        association=Association.objects.filter(
            young_person__in=[zara, leo], other_young_person__in=[zara, leo]
        ).get(),
        person_of_concern=flag.person,
        agency=agency,
        known_to_outsider=sol,
        shared_concern=shared,
    )


@dataclass
class Route:
    url: Callable[[World], str]
    method: str = "get"
    data: Callable[[World], dict] | None = None
    # Shows one young person's record: another agency's user must be refused.
    record: bool = False
    # Reads personal data: the permitted user's read must be audited.
    audited: bool = False
    # Open to anyone (signing in): no anonymous refusal to check.
    public: bool = False
    # Shows persons of concern themselves: every user who may see persons of concern may read
    # their names (people.selectors.person_of_concern_list_visible_to), other agencies included.
    persons_of_concern: bool = False
    user: str = "practitioner"
    # What the permitted user must find in a record's body: by default the young person's name.
    evidence: Callable[[World], str] = lambda w: FAMILY  # noqa: E731
    ok: tuple[int, ...] = (200,)
    extra: dict = field(default_factory=dict)
    # How a POST's data is sent: JSON for the API, "multipart" for a web form.
    format: str = "json"
    # Signed in with an API token rather than a session.
    token: bool = False


def yp(w: World) -> str:
    return w.young_person.reference


def concern_payload(w: World) -> dict:
    return {
        "occurred_on": str(timezone.localdate() - datetime.timedelta(days=1)),
        "place": w.place.pk,
        "young_people": [{"reference": w.other_young_person.reference, "role": "at_risk"}],
        "persons_of_concern": [],
        "risks": [{"category": "cce", "indicators": []}],
        "narrative": "Seen at the arcade late at night.",
        "source_evaluation": "2",
        "information_assessment": "B",
        "handling_code": "P",
    }


def alert_for(w: World) -> PeerAlert:
    alert = PeerAlert.objects.filter(association=w.association).first()
    if alert is None:
        alert = PeerAlert.objects.create(
            association=w.association,
            young_person=w.young_person,
            kind="group",
            reason="Newly linked to a member of a group whose vulnerability is high.",
        )
        alert.agencies.set([w.agency])
    return alert


def group_for(w: World) -> int:
    """The number of a detected group holding both of the world's children and a third, found
    by detection from a concern that names all three."""
    found = DetectedGroupMember.objects.filter(group__active=True, young_person=w.young_person)
    if not found.exists():
        third = YoungPersonFactory(created_by_agency=w.agency)
        concern_make(
            actor=w.practitioner, young_people=[w.young_person, w.other_young_person, third]
        )
        peer_groups_refresh()
    return found.get().group.number


def alert_list_url(w: World) -> str:
    alert_for(w)
    return "/api/peer-alerts/"


def concern_from_an_agency_not_involved(w: World) -> Any:
    """A concern about the world's child by an agency not involved with her: it sends her
    agency a notice and holds its link to the person of concern for that agency's review."""
    found = ConcernNotice.objects.filter(young_person=w.young_person).first()
    if found is not None:
        return found.concern
    youth = AgencyFactory(name="Eastbridge Youth Service", sector="youth_service")
    worker = UserFactory(username="robin", agency=youth, role=Role.PRACTITIONER)
    return concern_make(
        actor=worker,
        young_people=[w.young_person],
        persons_of_concern=[w.person_of_concern],
        link_kind="exploiting",
        link_reliability="confirmed",
    )


def notice_for(w: World) -> int:
    concern = concern_from_an_agency_not_involved(w)
    return ConcernNotice.objects.get(concern=concern, agency=w.agency).pk


def held_link_for(w: World) -> int:
    concern = concern_from_an_agency_not_involved(w)
    return Association.objects.held_for_review().get(source_concerns=concern).pk


def notice_list_url(w: World) -> str:
    notice_for(w)
    return "/api/notices/"


def held_link_list_url(w: World) -> str:
    held_link_for(w)
    return "/api/held-links/"


def involvement_request_for(w: World) -> int:
    """A request by another agency to be involved with the world's child."""
    found = InvolvementRequest.objects.filter(young_person=w.young_person).first()
    if found is None:
        school = AgencyFactory(name="Eastbridge Academy", sector="education")
        lead: Any = UserFactory(username="jo", agency=school, role=Role.PRACTITIONER)
        found = involvement_request_create(
            actor=lead,
            young_person=w.young_person,
            purpose="She has joined the school",
            lawful_basis="sch1_para18",
        )
    return found.pk


def saved_group_for(w: World) -> str:
    number = group_for(w)
    saved = PeerGroup.objects.filter(detected_group__number=number).first()
    if saved is None:
        saved = peer_group_save(
            actor=w.practitioner,
            detected_group=DetectedGroupMember.objects.get(
                group__active=True, young_person=w.young_person
            ).group,
            name="Arcade group",
        )
    return saved.reference


# Context cases: a case about the world's place, which Zara is linked to (by her concern there
# and by a practitioner), and so is Sol, whom the outsider's agency works with.
def case_for(w: World) -> str:
    found: Any = ContextCase.objects.filter(place=w.place).exclude(reference="CC-HARN1").first()
    if found is None:
        found = OpenCaseFactory(place=w.place, lead_agency=w.agency, lead_worker=w.practitioner)
        ReferralFactory(case=found)
        ContextPlanFactory(case=found, agreed_by=w.practitioner)
        # Worlds built for other suites may have no child the outsider's agency works with.
        for child in (c for c in (w.young_person, w.known_to_outsider) if c is not None):
            CaseLink.objects.create(
                case=found,
                young_person=child,
                reason="Seen at the arcade by the youth worker",
                linked_by=w.practitioner,
                linked_on=timezone.localdate(),
            )
    return found.reference


def online_space_for(w: World) -> str:
    space: Any = OnlineSpaceFactory()
    return space.reference


# --- Context cases: assessments and context plans ---------------------------------------------


def planned_case_for(w: World) -> Any:
    """A case about the world's place, screened, assessed twice (the second time with Zara's
    concern as evidence), with a plan, a goal, a partner's action and a measure."""
    from waymark.casework.assessments.services import assessment_record
    from waymark.casework.models import ContextCase, Partner, Screening
    from waymark.casework.plans.services import (
        action_add,
        context_plan_create,
        goal_add,
        goal_measure_record,
    )

    found = ContextCase.objects.filter(reference="CC-HARN1").first()
    if found is not None:
        return found
    case = ContextCase.objects.create(
        reference="CC-HARN1",
        subject_kind="place",
        place=w.place,
        lead_agency=w.agency,
        lead_worker=w.practitioner,
        status="open",
        threshold="partnership_plus",
    )
    today = timezone.localdate()
    Screening.objects.create(
        case=case,
        decision="partnership_plus",
        reason="Repeated concerns at the arcade",
        decided_by=w.manager,
        decided_on=today - datetime.timedelta(days=30),
    )
    sides = ("young_people", "guardianship", "environment")
    for rating, concerns in ((2, []), (4, [w.concern])):
        done = assessment_record(
            actor=w.practitioner,
            case=case,
            started_on=today - datetime.timedelta(days=20),
            completed_on=today - datetime.timedelta(days=20 - rating),
            areas={k: {"findings": f"{k} seen", "rating": rating} for k in sides},
            concerns=concerns,
        )
        if rating == 2:
            plan = context_plan_create(
                actor=w.practitioner, case=case, started_on=done.completed_on
            )
            goal = goal_add(
                actor=w.practitioner,
                plan=plan,
                outcome="Young people can name an adult at the arcade they trust",
                finding=done.areas.get(area="guardianship"),
            )
    shop = Partner.objects.create(name="Arcade Kiosk", kind="business", agency=w.agency)
    action_add(
        actor=w.practitioner,
        goal=goal,
        description="Kiosk staff trained",
        owner_kind="partner",
        owner_partner=shop,
        due_on=today,
    )
    goal_measure_record(actor=w.practitioner, goal=goal, measured_on=today, value=3)
    return case


def case_ref(w: World) -> str:
    return planned_case_for(w).reference


def case_goal(w: World) -> int:
    return planned_case_for(w).plan.goals.get().pk


def case_action(w: World) -> int:
    from waymark.casework.models import Action

    return Action.objects.get(goal__plan__case=planned_case_for(w)).pk


# --- Partners ---------------------------------------------------------------------------------


def partner_for(w: World) -> int:
    """A partner the practitioner's agency works with: a contact, a place it guards, training
    and an action in a context plan."""
    found = Partner.objects.filter(name="Riverside Convenience Store").first()
    if found is not None:
        return found.pk
    partner = partner_create(
        actor=w.practitioner, name="Riverside Convenience Store", kind="business"
    )
    partner_contact_add(
        actor=w.practitioner, partner=partner, name="Priya Shopkeeper", phone="01632 960 001"
    )
    guardianship_add(
        actor=w.practitioner, partner=partner, place=w.place, hours="Mon-Sat 07:00-22:00"
    )
    today = timezone.localdate()
    training_record_add(
        actor=w.practitioner,
        partner=partner,
        course="Exploitation awareness",
        delivered_on=today - datetime.timedelta(days=350),
        number_trained=4,
        refresh_due=today + datetime.timedelta(days=15),
    )
    partner_action_make(partner=partner)
    return partner.pk


def training_payload(w: World) -> dict:
    today = timezone.localdate()
    return {
        "course": "Exploitation awareness refresher",
        "delivered_on": str(today),
        "number_trained": 3,
        "refresh_due": str(today + datetime.timedelta(days=365)),
    }


ROUTES: dict[str, Route] = {
    # Signing in and out, and two-factor steps, are reached before a user is known.
    "login": Route(lambda w: "/sign-in/", public=True, ok=(200, 302)),
    "logout": Route(lambda w: "/sign-out/", method="post", public=True, ok=(302,)),
    "two-factor": Route(lambda w: "/sign-in/two-factor/", public=True, ok=(200, 302)),
    "two-factor-set-up": Route(lambda w: "/sign-in/two-factor/set-up/", public=True, ok=(200, 302)),
    "two-factor-backup-codes": Route(
        lambda w: "/sign-in/two-factor/backup-codes/", public=True, ok=(200, 302)
    ),
    # Web pages.
    "dashboard": Route(lambda w: "/"),
    "enrolment-code-new": Route(
        lambda w: "/enrolment-codes/new/", user="manager", evidence=lambda w: "sam"
    ),
    # Search is a POST, so that no name reaches a URL (a GET shows the empty form).
    "search": Route(
        lambda w: "/search/",
        method="post",
        data=lambda w: {"q": f"{GIVEN} {FAMILY}"},
        format="multipart",
        audited=True,
    ),
    "concern-new": Route(lambda w: "/concerns/new/"),
    "concern-check": Route(lambda w: "/concerns/new/check/", ok=(302,)),
    "concern-detail": Route(
        lambda w: f"/concerns/{w.concern.reference}/", record=True, audited=True
    ),
    "young-person-new": Route(lambda w: "/young-people/new/"),
    "young-person-detail": Route(lambda w: f"/young-people/{yp(w)}/", record=True, audited=True),
    "young-person-break-glass": Route(lambda w: f"/young-people/{yp(w)}/break-glass/"),
    "young-person-access": Route(
        lambda w: f"/young-people/{yp(w)}/access/", record=True, audited=True, user="manager"
    ),
    "involvement-new": Route(
        lambda w: f"/young-people/{yp(w)}/involvements/new/",
        record=True,
        user="manager",
        evidence=lambda w: "Add an involvement",
    ),
    "involvement-end": Route(
        lambda w: (
            f"/young-people/{yp(w)}/involvements/{w.young_person.involvements.first().pk}/end/"
        ),
        record=True,
        user="manager",
        evidence=lambda w: "End Eastbridge Children",
    ),
    # Recording is not reading: asking to be involved shows the reference only, to anyone who may
    # ask; the request itself is read by its parties and decided by an involved agency's manager.
    "involvement-request-new": Route(
        lambda w: f"/young-people/{yp(w)}/involvement-requests/new/",
        evidence=lambda w: "Ask for your agency to be involved",
    ),
    "involvement-request-detail": Route(
        lambda w: f"/involvement-requests/{involvement_request_for(w)}/",
        record=True,
        audited=True,
        user="manager",
        evidence=lambda w: "She has joined the school",
    ),
    # New information from an agency not involved, for the agencies involved; its links are
    # held for their review. Another agency's user finds no such notice or link.
    "concern-notice-dismiss": Route(
        lambda w: f"/notices/{notice_for(w)}/dismiss/", method="post", ok=(302,)
    ),
    "association-review": Route(
        lambda w: f"/links/held/{held_link_for(w)}/",
        record=True,
        audited=True,
        evidence=lambda w: w.person_of_concern.reference,
    ),
    "person-of-concern-new": Route(lambda w: "/persons-of-concern/new/"),
    "person-of-concern-detail": Route(
        lambda w: f"/persons-of-concern/{w.person_of_concern.reference}/",
        audited=True,
        persons_of_concern=True,
    ),
    "place-list": Route(lambda w: "/places/"),
    "place-new": Route(lambda w: "/places/new/"),
    "place-detail": Route(lambda w: f"/places/{w.place.pk}/"),
    "place-analysis": Route(lambda w: "/places/at-risk/", evidence=lambda w: w.place.name),
    "place-cell": Route(
        lambda w: (
            f"/places/at-risk/areas/{h3.latlng_to_cell(w.place.latitude, w.place.longitude, 9)}/"
        ),
        evidence=lambda w: w.place.name,
    ),
    # The world's two children are linked, so no shared context (and no one named) here; the audit
    # of the children a shared context names is tested in waymark/contexts/place_analysis/tests.
    "place-shared-contexts": Route(lambda w: "/places/shared-contexts/?min_young_people=2"),
    "place-near-repeat": Route(lambda w: "/places/near-repeats/", evidence=lambda w: "Knox"),
    # Acknowledging an early warning sent to the practitioner's agency; another agency's user
    # finds no such alert.
    "peer-alert-acknowledge": Route(
        lambda w: f"/alerts/{alert_for(w).pk}/acknowledge/", method="post", ok=(302,)
    ),
    # Peer groups: any user with the peer network permission sees a group, its members by name
    # only where their agency is involved (and those reads are audited), by reference otherwise.
    "peer-group-list": Route(lambda w: "/peer-groups/"),
    "peer-group-detail": Route(lambda w: f"/peer-groups/{group_for(w)}/", audited=True),
    "peer-group-saved": Route(lambda w: f"/peer-groups/saved/{saved_group_for(w)}/", audited=True),
    "young-person-network": Route(
        lambda w: f"/young-people/{yp(w)}/network/", record=True, audited=True
    ),
    # Context cases are seen across the partnership; the children linked to them are named
    # only where the viewer's agency is involved, and those reads are audited.
    "case-list": Route(lambda w: "/cases/"),
    "case-refer": Route(lambda w: f"/cases/refer/?place={w.place.pk}"),
    "case-detail": Route(lambda w: f"/cases/{case_for(w)}/", audited=True),
    "case-screen": Route(lambda w: f"/cases/{case_for(w)}/screening/"),
    "case-transfer": Route(lambda w: f"/cases/{case_for(w)}/transfer/"),
    "case-link-new": Route(lambda w: f"/cases/{case_for(w)}/links/new/"),
    "case-review-new": Route(lambda w: f"/cases/{case_for(w)}/reviews/new/"),
    "case-close": Route(lambda w: f"/cases/{case_for(w)}/close/"),
    "online-space-new": Route(lambda w: "/online-spaces/new/"),
    "online-space-detail": Route(lambda w: f"/online-spaces/{online_space_for(w)}/"),
    # API.
    "api:schema": Route(lambda w: "/api/schema/"),
    "api:docs": Route(lambda w: "/api/docs/"),
    "api:token": Route(
        lambda w: "/api/token/",
        method="post",
        public=True,
        data=lambda w: {"username": "sam", "password": "correct-horse-battery"},
    ),
    # Revoking the token the request is signed with: only a token can.
    "api:token-revoke": Route(lambda w: "/api/token/revoke/", method="post", token=True, ok=(204,)),
    # Revoking all of one's own tokens: with a token or a signed-in session.
    "api:token-revoke-all": Route(lambda w: "/api/token/revoke-all/", method="post", ok=(204,)),
    "api:api-root": Route(lambda w: "/api/"),
    "api:agency-list": Route(lambda w: "/api/agencies/"),
    "api:agency-detail": Route(lambda w: f"/api/agencies/{w.agency.pk}/"),
    "api:ward-list": Route(lambda w: "/api/wards/"),
    "api:ward-detail": Route(lambda w: f"/api/wards/{w.ward.pk}/"),
    "api:place-list": Route(lambda w: "/api/places/"),
    "api:place-detail": Route(lambda w: f"/api/places/{w.place.pk}/"),
    "api:place-concerns": Route(lambda w: f"/api/places/{w.place.pk}/concerns/"),
    "api:young-person-list": Route(lambda w: "/api/young-people/"),
    "api:young-person-search": Route(
        lambda w: "/api/young-people/search/",
        method="post",
        data=lambda w: {"q": f"{GIVEN} {FAMILY}"},
        audited=True,
    ),
    "api:young-person-detail": Route(
        lambda w: f"/api/young-people/{yp(w)}/", record=True, audited=True
    ),
    "api:young-person-associations": Route(
        lambda w: f"/api/young-people/{yp(w)}/associations/",
        record=True,
        audited=True,
        evidence=lambda w: w.other_young_person.reference,
    ),
    "api:young-person-concerns": Route(
        lambda w: f"/api/young-people/{yp(w)}/concerns/",
        record=True,
        audited=True,
        evidence=lambda w: NARRATIVE,
    ),
    "api:young-person-access": Route(
        lambda w: f"/api/young-people/{yp(w)}/access/",
        record=True,
        audited=True,
        user="manager",
        evidence=lambda w: '"actor":"sam"',
    ),
    "api:young-person-break-glass": Route(
        lambda w: f"/api/young-people/{yp(w)}/break-glass/",
        method="post",
        data=lambda w: {"reason": "Missing overnight: need her known associates"},
        ok=(201,),
    ),
    "api:person-of-concern-list": Route(
        lambda w: "/api/persons-of-concern/", persons_of_concern=True
    ),
    "api:person-of-concern-search": Route(
        lambda w: "/api/persons-of-concern/search/",
        method="post",
        data=lambda w: {"q": w.person_of_concern.reference},
        audited=True,
        persons_of_concern=True,
    ),
    "api:person-of-concern-detail": Route(
        lambda w: f"/api/persons-of-concern/{w.person_of_concern.reference}/",
        audited=True,
        persons_of_concern=True,
    ),
    "api:person-of-concern-flags": Route(
        lambda w: f"/api/persons-of-concern/{w.person_of_concern.reference}/flags/",
        audited=True,
        persons_of_concern=True,
    ),
    "api:concern-list": Route(lambda w: "/api/concerns/"),
    "api:concern-detail": Route(
        lambda w: f"/api/concerns/{w.concern.reference}/",
        record=True,
        audited=True,
        evidence=lambda w: NARRATIVE,
    ),
    "api:association-list": Route(lambda w: "/api/associations/"),
    "api:association-detail": Route(
        lambda w: f"/api/associations/{w.association.pk}/",
        record=True,
        evidence=lambda w: w.concern.reference,
    ),
    # The analysis of places: aggregates over every concern with a place, for anyone who may see
    # places. The world's one concern makes one cell (its count withheld, being under 5).
    "api:place-analysis-hotspots": Route(
        lambda w: "/api/place-analysis/hotspots/",
        evidence=lambda w: h3.latlng_to_cell(w.place.latitude, w.place.longitude, 9),
    ),
    "api:place-analysis-hotspots-geojson": Route(
        lambda w: "/api/place-analysis/hotspots/geojson/",
        evidence=lambda w: h3.latlng_to_cell(w.place.latitude, w.place.longitude, 9),
    ),
    "api:place-analysis-emerging-hotspots": Route(
        lambda w: "/api/place-analysis/emerging-hotspots/",
        evidence=lambda w: h3.latlng_to_cell(w.place.latitude, w.place.longitude, 9),
    ),
    "api:place-analysis-emerging-hotspots-geojson": Route(
        lambda w: "/api/place-analysis/emerging-hotspots/geojson/",
        evidence=lambda w: h3.latlng_to_cell(w.place.latitude, w.place.longitude, 9),
    ),
    "api:place-analysis-near-repeat": Route(
        lambda w: "/api/place-analysis/near-repeat/", evidence=lambda w: "Fewer than two"
    ),
    # As on the web page, the world's two children are linked, so no one is named here; the audit
    # of the children a shared context names is tested in waymark/contexts/place_analysis/tests.
    "api:place-analysis-shared-contexts": Route(
        lambda w: "/api/place-analysis/shared-contexts/?min_young_people=2",
        evidence=lambda w: '"contexts":[]',
    ),
    "api:place-analysis-time-profile": Route(
        lambda w: f"/api/place-analysis/time-profile/?place={w.place.pk}",
        evidence=lambda w: w.place.name,
    ),
    "api:place-analysis-cell": Route(
        lambda w: (
            "/api/place-analysis/cells/"
            f"{h3.latlng_to_cell(w.place.latitude, w.place.longitude, 9)}/"
        ),
        evidence=lambda w: w.place.name,
    ),
    # Peer groups over the API: references only, never names. Strengths are returned only for
    # members the user may see, and those reads are audited.
    "api:peer-group-list": Route(lambda w: "/api/peer-groups/"),
    "api:peer-group-detail": Route(lambda w: f"/api/peer-groups/{group_for(w)}/", audited=True),
    "api:peer-group-key-connections": Route(lambda w: "/api/peer-groups/key-connections/"),
    "api:young-person-network": Route(
        lambda w: f"/api/young-people/{yp(w)}/network/",
        record=True,
        audited=True,
        evidence=lambda w: w.other_young_person.reference,
    ),
    "api:saved-peer-group-list": Route(lambda w: "/api/peer-groups/saved/"),
    "api:saved-peer-group-detail": Route(
        lambda w: f"/api/peer-groups/saved/{saved_group_for(w)}/", audited=True
    ),
    # Notices of new information, and links held for review, for the agencies involved with the
    # young person: references only. Another agency's user finds none.
    "api:concern-notice-list": Route(
        notice_list_url,
        audited=True,
        evidence=lambda w: "New information from Eastbridge Youth Service",
    ),
    "api:concern-notice-dismiss": Route(
        lambda w: f"/api/notices/{notice_for(w)}/dismiss/", method="post"
    ),
    "api:held-link-list": Route(held_link_list_url, audited=True),
    "api:held-link-detail": Route(
        lambda w: f"/api/held-links/{held_link_for(w)}/",
        record=True,
        audited=True,
        evidence=lambda w: w.person_of_concern.reference,
    ),
    "api:held-link-review": Route(
        lambda w: f"/api/held-links/{held_link_for(w)}/review/",
        method="post",
        data=lambda w: {"decision": "accept"},
    ),
    # Early warnings go to the agencies involved with the young person; another agency's user
    # finds none, and no such alert to acknowledge.
    "api:peer-alert-list": Route(alert_list_url, audited=True),
    "api:peer-alert-acknowledge": Route(
        lambda w: f"/api/peer-alerts/{alert_for(w).pk}/acknowledge/",
        method="post",
        data=lambda w: {"note": "Spoke to her and her mum"},
    ),
    # Context cases are the partnership's business: any worker who may view cases sees their
    # assessments and plans, which name no child; evidence concerns appear only to those who may
    # see them, by reference.
    "case-assessment-new": Route(lambda w: f"/cases/{case_ref(w)}/assessments/new/"),
    "case-assessment-detail": Route(lambda w: f"/cases/{case_ref(w)}/assessments/2/"),
    "case-plan": Route(lambda w: f"/cases/{case_ref(w)}/plan/"),
    "case-goal-new": Route(lambda w: f"/cases/{case_ref(w)}/plan/goals/new/"),
    "case-action-new": Route(
        lambda w: f"/cases/{case_ref(w)}/plan/goals/{case_goal(w)}/actions/new/"
    ),
    "case-action-update": Route(lambda w: f"/cases/{case_ref(w)}/plan/actions/{case_action(w)}/"),
    "case-measure-new": Route(
        lambda w: f"/cases/{case_ref(w)}/plan/goals/{case_goal(w)}/measures/new/"
    ),
    "api:case-assessment-list": Route(lambda w: f"/api/cases/{case_ref(w)}/assessments/"),
    "api:case-assessment-detail": Route(lambda w: f"/api/cases/{case_ref(w)}/assessments/2/"),
    "api:case-plan": Route(lambda w: f"/api/cases/{case_ref(w)}/plan/"),
    "api:case-goal-list": Route(lambda w: f"/api/cases/{case_ref(w)}/goals/"),
    "api:case-action-list": Route(lambda w: f"/api/cases/{case_ref(w)}/actions/"),
    "api:case-action-detail": Route(
        lambda w: f"/api/cases/{case_ref(w)}/actions/{case_action(w)}/"
    ),
    "api:case-measure-list": Route(lambda w: f"/api/cases/{case_ref(w)}/measures/"),
    "case-outcomes": Route(lambda w: f"/cases/{case_ref(w)}/outcomes/"),
    "api:case-outcomes": Route(lambda w: f"/api/cases/{case_ref(w)}/outcomes/"),
    # Partners: the register is the partnership's; reading a partner's contacts is audited, and
    # only the agency that owns the relationship changes it (another agency's user is refused).
    "partner-list": Route(lambda w: "/partners/"),
    "partner-new": Route(lambda w: "/partners/new/"),
    "partner-detail": Route(lambda w: f"/partners/{partner_for(w)}/", audited=True),
    "partner-edit": Route(lambda w: f"/partners/{partner_for(w)}/edit/"),
    "partner-contact-new": Route(lambda w: f"/partners/{partner_for(w)}/contacts/new/"),
    "partner-guardianship-new": Route(lambda w: f"/partners/{partner_for(w)}/guardianships/new/"),
    "partner-training-new": Route(lambda w: f"/partners/{partner_for(w)}/training/new/"),
    "partner-actions": Route(lambda w: f"/partners/{partner_for(w)}/actions/"),
    "partner-actions-csv": Route(
        lambda w: f"/partners/{partner_for(w)}/actions/csv/", audited=True
    ),
    "api:partner-list": Route(lambda w: "/api/partners/"),
    "api:partner-detail": Route(lambda w: f"/api/partners/{partner_for(w)}/"),
    "api:partner-contacts": Route(
        lambda w: f"/api/partners/{partner_for(w)}/contacts/", audited=True
    ),
    "api:partner-guardianships": Route(lambda w: f"/api/partners/{partner_for(w)}/guardianships/"),
    "api:partner-training": Route(lambda w: f"/api/partners/{partner_for(w)}/training/"),
    "api:partner-actions": Route(lambda w: f"/api/partners/{partner_for(w)}/actions/"),
    # Context cases over the API: young people by reference only, and only where the viewer's
    # agency is involved with at least one of them; the reads of those named are audited.
    "api:case-list": Route(lambda w: "/api/cases/"),
    # Linked young people by reference only: no record is decrypted or read.
    "api:case-detail": Route(lambda w: f"/api/cases/{case_for(w)}/"),
    "api:case-screening": Route(
        lambda w: f"/api/cases/{case_for(w)}/screening/",
        method="post",
        data=lambda w: {"decision": "partnership_plus", "reason": "Three agencies report it"},
        ok=(201,),
    ),
    "api:case-transfer": Route(
        lambda w: f"/api/cases/{case_for(w)}/transfer/",
        method="post",
        data=lambda w: {"to_agency": w.agency.pk, "to_worker": w.manager.pk, "reason": "Leave"},
        ok=(201,),
    ),
    "api:case-links": Route(lambda w: f"/api/cases/{case_for(w)}/links/"),
    "api:case-reviews": Route(lambda w: f"/api/cases/{case_for(w)}/reviews/"),
    "api:case-close": Route(
        lambda w: f"/api/cases/{case_for(w)}/close/",
        method="post",
        data=lambda w: {"reason": "The arcade is safer after dark"},
    ),
    "api:online-space-list": Route(lambda w: "/api/online-spaces/"),
    "api:online-space-detail": Route(lambda w: f"/api/online-spaces/{online_space_for(w)}/"),
}

# Writes through the API, checked the same way: refused anonymously, allowed for the user.
WRITES: dict[str, Route] = {
    "api:concern-list": Route(
        lambda w: "/api/concerns/", method="post", data=concern_payload, ok=(201,)
    ),
    "api:saved-peer-group-list": Route(
        lambda w: "/api/peer-groups/saved/",
        method="post",
        data=lambda w: {"detected_group": group_for(w), "name": "Riverside group"},
        ok=(201,),
    ),
    "api:case-measure-list": Route(
        lambda w: f"/api/cases/{case_ref(w)}/measures/",
        method="post",
        data=lambda w: {"goal": case_goal(w), "measured_on": str(timezone.localdate()), "value": 4},
        ok=(201,),
    ),
    "api:partner-list": Route(
        lambda w: "/api/partners/",
        method="post",
        data=lambda w: {"name": "Riverside Taxis", "kind": "taxi"},
        ok=(201,),
    ),
    "api:partner-training": Route(
        lambda w: f"/api/partners/{partner_for(w)}/training/",
        method="post",
        data=training_payload,
        ok=(201,),
    ),
    "api:case-list": Route(
        lambda w: "/api/cases/",
        method="post",
        data=lambda w: {
            "subject_kind": "place",
            "place": w.place.pk,
            "reason": "Older males wait outside after dark",
            "source": "Youth worker",
            "reliability": "reliable",
            "concerns": [w.concern.reference],
        },
        ok=(201,),
    ),
    "api:online-space-list": Route(
        lambda w: "/api/online-spaces/",
        method="post",
        data=lambda w: {"platform": "Discord", "name": "Eastbridge Gaming", "kind": "server"},
        ok=(201,),
    ),
}


def route_names() -> set[str]:
    def walk(patterns: list, namespace: str | None = None) -> set[str]:
        names: set[str] = set()
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.app_name == "admin":
                    # Django's admin: staff only, read-only, off in production unless switched
                    # on (WAYMARK_ADMIN_ENABLED), and it holds no personal tables.
                    continue
                names |= walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)
        return names

    return walk(get_resolver().url_patterns)


def test_every_route_has_an_entry_in_the_harness():
    missing = route_names() - set(ROUTES)
    assert not missing, f"Routes with no permission-harness entry: {sorted(missing)}"
    stale = set(ROUTES) - route_names()
    assert not stale, f"Harness entries for routes that no longer exist: {sorted(stale)}"


def _call(client: Any, route: Route, w: World) -> Any:
    url = route.url(w)
    data = route.data(w) if route.data else None
    if route.method == "post":
        return client.post(url, data, format=route.format) if data else client.post(url)
    return client.get(url)


def _client(user: Any = None, *, token: bool = False) -> APIClient:
    client = APIClient()
    if user is not None and token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    elif user is not None:
        client.force_login(user)
    return client


def _body(response: Any) -> str:
    return response.content.decode(errors="replace")


def identifying(w: World) -> list[tuple[Any, list[str]]]:
    """Each record of the world with what would identify it, or tell what it says, in a body."""
    other_nhs = [w.other_young_person.nhs_number] if w.other_young_person.nhs_number else []
    return [
        (w.young_person, [GIVEN, FAMILY, NHS, *born_as_written(BORN)]),
        (
            w.other_young_person,
            [OTHER_GIVEN, OTHER_FAMILY, *other_nhs, *born_as_written(OTHER_BORN)],
        ),
        (w.concern, [NARRATIVE]),
        (w.person_of_concern, [POC_NAMES]),
    ]


def _shown(body: str, words: list[str]) -> list[str]:
    """The words found in a body, as written or as HTML writes them."""
    return [word for word in words if word in body or escape(word) in body]


CASES = [(name, r) for name, r in ROUTES.items()] + [
    (f"{name} (write)", r) for name, r in WRITES.items()
]


@pytest.mark.parametrize(("name", "route"), CASES, ids=[c[0] for c in CASES])
def test_anonymous_users_are_refused(world, name, route):
    if route.public:
        pytest.skip("reached before signing in")
    response = _call(_client(), route, world)
    if name.startswith("api:"):
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302 and "/sign-in/" in response["Location"]
    for secret in (FAMILY, NHS, NARRATIVE):
        assert secret not in _body(response)


@pytest.mark.parametrize(("name", "route"), CASES, ids=[c[0] for c in CASES])
def test_another_agency_without_involvement_sees_no_identifying_data(world, name, route):
    response = _call(_client(world.outsider, token=route.token), route, world)
    assert response.status_code < 500
    if route.record:
        assert response.status_code in (403, 404)
    # A search page repeats the words searched for; nothing else may name the young person.
    body = _body(response).replace(f"{GIVEN} {FAMILY}", "").replace(f"{GIVEN}+{FAMILY}", "")
    for obj, words in identifying(world):
        if obj == world.person_of_concern and route.persons_of_concern:
            continue
        assert not _shown(body, words), f"{obj._meta.label_lower} {obj.pk}: {_shown(body, words)}"


@pytest.mark.parametrize(("name", "route"), CASES, ids=[c[0] for c in CASES])
def test_the_permitted_user_gets_it_and_personal_reads_are_audited(world, name, route):
    user = getattr(world, route.user)
    client = _client(
        user, token=route.token
    )  # signing in is audited too: count only what the request writes
    before = AuditEvent.objects.filter(actor=user).count()
    response = _call(client, route, world)
    assert response.status_code in route.ok, _body(response)[:500]
    if route.record and route.method == "get":
        # The record itself reaches the user who may see it.
        assert route.evidence(world) in _body(response)
    if route.audited:
        assert AuditEvent.objects.filter(actor=user).count() > before


@pytest.mark.parametrize(("name", "route"), CASES, ids=[c[0] for c in CASES])
def test_the_permitted_users_response_audits_each_record_it_shows(world, name, route):
    """Whatever a response shows of a record (a name, a date of birth, an NHS number, a
    narrative), that request wrote an audit event for that record: one, not one per mention."""
    user = getattr(world, route.user)
    response = _call(_client(user, token=route.token), route, world)
    assert response.status_code in route.ok, _body(response)[:500]
    body = _body(response)
    if route.method == "get" and name == "search":
        body = body.replace(f"{GIVEN} {FAMILY}", "").replace(f"{GIVEN}+{FAMILY}", "")
    events = AuditEvent.objects.filter(actor=user, request_id=response["X-Request-ID"])
    read = set(events.values_list("object_type", "object_id"))
    missing = [
        f"{obj._meta.label_lower} {obj.pk} ({', '.join(_shown(body, words))})"
        for obj, words in identifying(world)
        if _shown(body, words) and (obj._meta.label_lower, str(obj.pk)) not in read
    ]
    assert not missing, f"Shown without an audit event: {missing}"
    # One event per record and action: a page that names a child twice records one read.
    pairs = list(events.values_list("action", "object_type", "object_id"))
    assert len(pairs) == len(set(pairs)), sorted(pairs)


# Pages and API answers another agency may open because they are about a child that agency works
# with, and which also concern Zara, whom it may not see: she must be there by reference only.
SEEN_BY_BOTH: dict[str, Callable[[World], str]] = {
    "concern-detail": lambda w: f"/concerns/{w.shared_concern.reference}/",
    "api:concern-detail": lambda w: f"/api/concerns/{w.shared_concern.reference}/",
    "young-person-detail": lambda w: f"/young-people/{w.known_to_outsider.reference}/",
    "young-person-network": lambda w: f"/young-people/{w.known_to_outsider.reference}/network/",
    "api:young-person-associations": lambda w: (
        f"/api/young-people/{w.known_to_outsider.reference}/associations/"
    ),
    "api:young-person-network": lambda w: (
        f"/api/young-people/{w.known_to_outsider.reference}/network/"
    ),
    "case-detail": lambda w: f"/cases/{case_for(w)}/",
    "api:case-detail": lambda w: f"/api/cases/{case_for(w)}/",
    "api:case-links": lambda w: f"/api/cases/{case_for(w)}/links/",
}


@pytest.mark.parametrize("name", sorted(SEEN_BY_BOTH))
def test_a_page_another_agency_may_open_shows_the_children_it_may_not_see_by_reference(world, name):
    assert name in ROUTES
    response = _client(world.outsider).get(SEEN_BY_BOTH[name](world))
    assert response.status_code == 200
    body = _body(response)
    assert world.young_person.reference in body
    for obj, words in identifying(world):
        assert not _shown(body, words), f"{obj._meta.label_lower} {obj.pk}: {_shown(body, words)}"
