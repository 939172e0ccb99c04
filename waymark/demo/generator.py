"""Build, find and remove the demo town in the database.

Why the demo writes in bulk, with one audit event
-------------------------------------------------
Every other writer goes through the services, which validate one record and audit it in the same
transaction. Recording ten thousand concerns that way costs well over a hundred thousand queries
and several minutes, and fills the audit log with events that say nothing: no person did any of
it. So the demo

- creates agencies and users through `agency_create` and `user_create` (few, and security
  relevant: each gets its own audit event, and the published password is checked against the
  password validators);
- creates everything else with `bulk_create` in one transaction, writing the same rows the
  services would (pseudonymous references, ordered association pairs, risks, the people involved,
  the source concerns of each link);
- writes the few dozen rows of the context cases and partners (`cases`) one by one with the ORM,
  after the concerns they refer to;
- records one summarising audit event, action "create" on object type "demo.town", whose changed
  fields list the record types written and whose object id names the seed and scale.

That event is also the marker that makes `waymark demo` idempotent: the newest "demo.town" event
says whether a town is built and with which seed and scale. Removing the town records a "delete"
event against the same object. The SQL is the ORM's own, so PostgreSQL works as SQLite does.
"""

import datetime
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone
from tqdm import tqdm

from waymark.accounts.models import Agency, Role, User
from waymark.accounts.services import agency_create, user_create
from waymark.audit.models import AuditEvent
from waymark.audit.services import audit_record
from waymark.casework.models import ContextCase, ContextPlan, Partner
from waymark.concerns.models import Association, Concern, ConcernRisk, ConcernYoungPerson
from waymark.contexts.models import Neighbourhood, OnlineSpace, PeerGroup, Place, Ward
from waymark.people.access import (
    Involvement,
    InvolvementRequest,
    InvolvementRequestKind,
    InvolvementSource,
    LawfulBasis,
)
from waymark.people.models import (
    PersonFlag,
    PersonOfConcern,
    PersonOfConcernNameWord,
    Vehicle,
    YoungPerson,
    person_of_concern_name_words,
    vehicle_set_blind_indexes,
    young_person_set_blind_indexes,
)

from . import DEMO_PASSWORD
from .agencies import AGENCIES, CSC, DEMO_AGENCY_NAMES, POLICE, USERS, agency_of
from .cases import write_cases
from .concerns import LinkPlan, TownConcerns, build_concerns
from .people import Adult, Child, build_adults, build_children
from .plan import DEFAULT_SEED, MAX_SCALE, counts_for, plan_patterns, stream
from .town import TOWN, town

MARKER = "demo.town"
BATCH = 2000


class DemoError(Exception):
    """Something the person running the demo can put right; the message says how."""


@dataclass(frozen=True)
class DemoBuild:
    seed: int = DEFAULT_SEED
    scale: float = 1.0

    @property
    def object_id(self) -> str:
        return f"seed={self.seed} scale={self.scale!r}"

    @classmethod
    def parse(cls, object_id: str) -> "DemoBuild | None":
        try:
            parts = dict(p.split("=", 1) for p in object_id.split())
            return cls(seed=int(parts["seed"]), scale=float(parts["scale"]))
        except (KeyError, ValueError):
            return None


@dataclass
class DemoResult:
    build: DemoBuild
    built_now: bool  # False when the same town was already there
    replaced: DemoBuild | None = None  # the town this build replaced, if any
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    agency: str
    job_title: str


def demo_state() -> DemoBuild | None:
    """The town that is built now, or None. A town counts as built only if its agencies exist."""
    event = AuditEvent.objects.filter(object_type=MARKER).order_by("-id").first()
    if event is None or event.action != "create":
        return None
    if not Agency.objects.filter(name=CSC).exists():
        return None
    return DemoBuild.parse(event.object_id)


def demo_logins() -> list[DemoLogin]:
    """The featured demo users that exist, in the order they are introduced."""
    featured = [u.username for u in USERS if u.featured]
    found = {
        u.username: u
        for u in User.objects.filter(
            username__in=featured, agency__name__in=DEMO_AGENCY_NAMES
        ).select_related("agency")
    }
    return [
        DemoLogin(u.username, u.get_role_display(), agency_of(u).name, u.job_title)
        for name in featured
        if (u := found.get(name)) is not None
    ]


def demo_ensure(
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    reset: bool = False,
    progress: bool = False,
) -> DemoResult:
    """Make sure the town for this seed and scale is built; build it only if it is not.

    A town built with another seed or scale is removed first, as is the same town with `reset`.
    Removal and build share one transaction: if the build fails, the old town is still there.
    """
    if not getattr(settings, "WAYMARK_DEMO", False):
        raise DemoError(
            "The demo town is only built when WAYMARK_DEMO is on: it creates logins with a "
            "published password. Use the local settings (config.settings.local)."
        )
    if not 0 < scale <= MAX_SCALE:
        raise DemoError(f"Choose a scale above 0 and at most {MAX_SCALE:g}")
    wanted = DemoBuild(seed=seed, scale=float(scale))
    state = demo_state()
    if state == wanted and not reset:
        return DemoResult(build=wanted, built_now=False)
    # A different seed or scale, or --reset: the old town makes way for the new one.
    with transaction.atomic():
        demo_remove()
        result = demo_build(build=wanted, progress=progress)
    result.replaced = state
    return result


@transaction.atomic
def demo_build(*, build: DemoBuild, progress: bool = False) -> DemoResult:
    started = time.perf_counter()
    seed, counts, geography = build.seed, counts_for(build.scale), town()
    now = timezone.localtime()
    steps = [
        "agencies and users",
        "wards and places",
        "young people",
        "persons of concern",
        "concerns",
        "writing young people",
        "writing persons of concern",
        "writing concerns",
        "writing associations",
        "context cases and partners",
    ]
    bar = tqdm(total=len(steps), desc=f"Building {TOWN}", unit="step", disable=not progress)
    bar.set_postfix_str(steps[0])

    def step(name: str) -> None:
        bar.set_postfix_str(name)
        bar.update(1)

    # The demo's agencies and users outlive a reset: their audit events are append-only and
    # refer to them, so they are kept and used again rather than removed and made anew.
    existing = {a.name: a for a in Agency.objects.filter(name__in=DEMO_AGENCY_NAMES)}
    agencies = {
        name: existing.get(name) or agency_create(actor=None, name=name, sector=sector)
        for name, sector in AGENCIES
    }
    kept = {
        u.username: u
        for u in User.objects.filter(
            username__in=[u.username for u in USERS], agency__in=agencies.values()
        )
    }
    users = [
        kept.get(u.username)
        or user_create(
            actor=None,
            username=u.username,
            password=DEMO_PASSWORD,
            agency=agencies[u.agency],
            role=u.role,
            first_name=u.first_name,
            last_name=u.last_name,
            email=u.email,
            job_title=u.job_title,
        )
        for u in USERS
    ]
    for user in kept.values():  # a visitor may have changed the published password
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        audit_record(actor=None, action="update", obj=user, changed_fields=["password"])
    step("wards and places")

    wards = Ward.objects.bulk_create(
        Ward(name=w.name, code=w.code, boundary=w.boundary) for w in geography.wards
    )
    places = Place.objects.bulk_create(
        (
            Place(
                name=p.name,
                kind=p.kind,
                address=p.address,
                postcode=p.postcode,
                latitude=p.latitude,
                longitude=p.longitude,
                ward=wards[p.ward],
            )
            for p in geography.places
        ),
        batch_size=BATCH,
    )
    step("young people")

    patterns = plan_patterns(seed=seed, counts=counts, town=geography)
    children = build_children(
        seed=seed,
        counts=counts,
        town=geography,
        patterns=patterns,
        wards=wards,
        places=places,
        today=now.date(),
    )
    step("persons of concern")
    adults = build_adults(
        seed=seed,
        counts=counts,
        patterns=patterns,
        recorders=[
            u for u in users if agency_of(u).name in (POLICE, CSC) and u.role != Role.ADMINISTRATOR
        ],
        today=now.date(),
    )
    step("concerns")
    planned = build_concerns(
        seed=seed,
        counts=counts,
        town=geography,
        places=places,
        children=children,
        adults=adults,
        users=users,
        patterns=patterns,
        now=now,
    )
    step("writing young people")
    _set_who_added(seed, children, planned, users, now)
    # bulk_create bypasses save(), which keeps the blind indexes; set them here instead.
    for child in children:
        young_person_set_blind_indexes(child.person)
    YoungPerson.objects.bulk_create([c.person for c in children], batch_size=BATCH)
    step("writing persons of concern")
    _write_adults(adults)
    step("writing concerns")
    _write_concerns(planned, children, adults)
    involvements = _write_involvements(planned, children)
    requests = _plant_involvement_request(users)
    step("writing associations")
    links = _write_associations(planned, children, adults)
    step("context cases and partners")
    casework = write_cases(
        seed=seed,
        today=now.date(),
        town=geography,
        patterns=patterns,
        places=places,
        young_people=[c.person for c in children],
        users=users,
        agencies=agencies,
    )
    bar.update(1)
    bar.close()

    result_counts = {
        "agencies": len(agencies),
        "users": len(users),
        "wards": len(wards),
        "places": len(places),
        "young people": len(children),
        "persons of concern": len(adults),
        "vehicles": sum(len(a.vehicles) for a in adults),
        "person flags": sum(len(a.flags) for a in adults),
        "concerns": len(planned.concerns),
        "concern risks": len(planned.risks),
        "young people in concerns": len(planned.involvement),
        "involvements": involvements,
        "involvement requests": requests,
        "persons of concern in concerns": len(planned.adult_involvement),
        "associations": links,
        **casework,
    }
    audit_record(
        actor=None,
        action="create",
        object_type=MARKER,
        object_id=build.object_id,
        changed_fields=[
            "contexts.ward",
            "contexts.place",
            "people.youngperson",
            "people.personofconcern",
            "people.vehicle",
            "people.personflag",
            "concerns.concern",
            "concerns.concernrisk",
            "concerns.concernyoungperson",
            "concerns.association",
            "people.involvement",
            "people.involvementrequest",
            "contexts.peergroup",
            "contexts.onlinespace",
            "contexts.neighbourhood",
            "casework.contextcase",
            "casework.referral",
            "casework.screening",
            "casework.assessment",
            "casework.youngvoice",
            "casework.contextplan",
            "casework.goal",
            "casework.goalmeasure",
            "casework.action",
            "casework.review",
            "casework.caselink",
            "casework.partner",
            "casework.partnercontact",
            "casework.guardianship",
            "casework.trainingrecord",
        ],
        purpose=f"Synthetic demo town {TOWN}: "
        + ", ".join(f"{n} {k}" for k, n in result_counts.items() if k not in casework)
        + f", {casework['context cases']} context cases, {casework['partners']} partners",
    )
    return DemoResult(
        build=build,
        built_now=True,
        seconds=time.perf_counter() - started,
        counts=result_counts,
    )


def _set_who_added(
    seed: int,
    children: list[Child],
    planned: TownConcerns,
    users: list[User],
    now: datetime.datetime,
) -> None:
    """A child was added by whoever first recorded a concern about them, shortly before it."""
    rng = stream(seed, "young-people-added")
    default = next(u for u in users if u.username == "j.wilson")
    for index, child in enumerate(children):
        first = planned.first_recorded.get(index)
        if first is None:
            added_at, added_by = now - datetime.timedelta(days=rng.randint(1, 700)), default
        else:
            added_at = first[0] - datetime.timedelta(days=rng.randint(0, 3), minutes=5)
            added_by = first[1]
        child.person.created_at = added_at
        child.person.created_by = added_by
        child.person.created_by_agency_id = added_by.agency_id


def _write_adults(adults: list[Adult]) -> None:
    PersonOfConcern.objects.bulk_create([a.person for a in adults], batch_size=BATCH)
    # bulk_create bypasses save(), which keeps the blind indexes; write them here instead.
    PersonOfConcernNameWord.objects.bulk_create(
        [w for a in adults for w in person_of_concern_name_words(a.person)], batch_size=BATCH
    )
    vehicles = [v for a in adults for v in a.vehicles]
    for vehicle in vehicles:
        vehicle_set_blind_indexes(vehicle)
    Vehicle.objects.bulk_create(vehicles, batch_size=BATCH)
    PersonFlag.objects.bulk_create([f for a in adults for f in a.flags], batch_size=BATCH)


def _write_concerns(planned: TownConcerns, children: list[Child], adults: list[Adult]) -> None:
    concerns = planned.concerns
    Concern.objects.bulk_create(concerns, batch_size=BATCH)
    ConcernRisk.objects.bulk_create(planned.risks, batch_size=BATCH)
    ConcernYoungPerson.objects.bulk_create(
        (
            ConcernYoungPerson(concern=concerns[c], young_person=children[i].person, role=role)
            for c, i, role in planned.involvement
        ),
        batch_size=BATCH,
    )
    through = Concern.persons_of_concern.through
    through.objects.bulk_create(
        (
            through(concern_id=concerns[c].pk, personofconcern_id=adults[a].person.pk)
            for c, a in planned.adult_involvement
        ),
        batch_size=BATCH,
    )


def _write_involvements(planned: TownConcerns, children: list[Child]) -> int:
    """The town's history of involvements: the agency that added each young person, and every
    agency that recorded a concern about them, from the first such day. Recording alone no longer
    involves an agency (ADR 0010); in the demo's history each such involvement stands for one that
    was asked for and accepted."""
    first: dict[tuple[int, int], tuple[datetime.date, str, str]] = {}
    for child in children:
        person = child.person
        if person.created_by_agency_id:
            day = timezone.localtime(person.created_at).date()
            first[(person.created_by_agency_id, person.pk)] = (
                day,
                InvolvementSource.ADDED,
                "Added the young person to Waymark",
            )
    for c, i, _role in planned.involvement:
        concern = planned.concerns[c]
        key = (concern.recording_agency_id, children[i].person.pk)
        if key not in first or concern.occurred_on < first[key][0]:
            first[key] = (
                concern.occurred_on,
                InvolvementSource.CONCERN,
                f"Recorded concern {concern.reference}",
            )
    Involvement.objects.bulk_create(
        (
            Involvement(
                agency_id=agency_id,
                young_person_id=person_id,
                source=source,
                purpose=purpose,
                lawful_basis=LawfulBasis.SAFEGUARDING,
                started_on=day,
            )
            for (agency_id, person_id), (day, source, purpose) in first.items()
        ),
        batch_size=BATCH,
    )
    return len(first)


def _plant_involvement_request(users: list[User]) -> int:
    """A request awaiting the children's services manager: the police officer asks to be involved
    with a child only children's services works with (ADR 0010), so the demo shows the decision."""
    police = next((u for u in users if u.username == "police"), None)
    csc = next((u for u in users if u.username == "manager"), None)
    if police is None or csc is None or police.agency_id is None or csc.agency_id is None:
        return 0
    theirs = Involvement.objects.filter(agency_id=csc.agency_id).values("young_person")
    ours = Involvement.objects.filter(agency_id=police.agency_id).values("young_person")
    child = (
        YoungPerson.objects.filter(pk__in=theirs).exclude(pk__in=ours).order_by("reference").first()
    )
    if child is None:
        return 0
    InvolvementRequest.objects.create(
        kind=InvolvementRequestKind.REQUEST,
        agency_id=police.agency_id,
        young_person=child,
        purpose="Seen with a known county-lines runner at the bus station; joint visit proposed",
        lawful_basis=LawfulBasis.LAW_ENFORCEMENT,
        requested_by=police,
        requested_by_agency_id=police.agency_id,
    )
    return 1


def _write_associations(planned: TownConcerns, children: list[Child], adults: list[Adult]) -> int:
    rows: list[tuple[Association, list[int]]] = []
    concerns = planned.concerns
    for key, link in planned.child_links.items():
        first, second = sorted((children[key[0]].person.pk, children[key[1]].person.pk))
        row = _association(link, first, other_young_person_id=second)
        row.handling_concern = concerns[key[2]] if len(key) > 2 else None
        rows.append((row, link.sources))
    for key, link in planned.adult_links.items():
        row = _association(
            link, children[key[0]].person.pk, person_of_concern_id=adults[key[1]].person.pk
        )
        row.handling_concern = concerns[key[2]] if len(key) > 2 else None
        rows.append((row, link.sources))
    Association.objects.bulk_create([r for r, _ in rows], batch_size=BATCH)
    through = Association.source_concerns.through
    through.objects.bulk_create(
        (
            through(association_id=row.pk, concern_id=concerns[s].pk)
            for row, sources in rows
            for s in sources
        ),
        batch_size=BATCH,
    )
    return len(rows)


def _association(link: LinkPlan, young_person_id: int, **other: int) -> Association:
    return Association(
        young_person_id=young_person_id,
        kind=link.kind,
        reliability=link.reliability,
        source_note=link.note,
        first_seen=link.first_seen,
        last_seen=link.last_seen,
        review_by=link.review_by,
        recorded_by=link.recorded_by,
        recording_agency_id=link.recorded_by.agency_id,
        created_at=timezone.make_aware(
            datetime.datetime.combine(link.first_seen, datetime.time(12)),
        ),
        **other,
    )


@transaction.atomic
def demo_remove() -> bool:
    """Remove the demo town and whatever its users recorded. True if there was one to remove.

    The demo's agencies and users stay, with every audit event: the audit log is append-only
    (and hash-chained), so the history of the old town is kept, closed by a "delete" event.

    Records that other agencies made and that point at demo records (a concern at a demo place,
    say) stop the removal: nothing is deleted, and the error names what is in the way.
    """
    agencies = Agency.objects.filter(name__in=DEMO_AGENCY_NAMES)
    if (
        demo_state() is None
        and not YoungPerson.objects.filter(created_by_agency__in=agencies).exists()
    ):
        return False
    previous = AuditEvent.objects.filter(object_type=MARKER).order_by("-id").first()
    users = User.objects.filter(agency__in=agencies)
    wards = Ward.objects.filter(code__in=[w.code for w in town().wards])
    try:
        # Context cases first: they hold on to places, concerns and young people.
        cases = ContextCase.objects.filter(lead_agency__in=agencies)
        ContextPlan.objects.filter(case__in=cases).delete()
        cases.delete()
        Partner.objects.filter(agency__in=agencies).delete()
        PeerGroup.objects.filter(created_by_agency__in=agencies).delete()
        OnlineSpace.objects.filter(created_by_agency__in=agencies).delete()
        Neighbourhood.objects.filter(created_by__in=users).delete()
        Concern.objects.filter(recording_agency__in=agencies).delete()
        Association.objects.filter(
            Q(young_person__created_by_agency__in=agencies) | Q(recording_agency__in=agencies)
        ).delete()
        YoungPerson.objects.filter(created_by_agency__in=agencies).delete()
        PersonFlag.objects.filter(recorded_by__in=users).delete()
        PersonOfConcern.objects.filter(created_by_agency__in=agencies).delete()
        Place.objects.filter(Q(ward__in=wards) | Q(created_by__in=users)).delete()
        wards.delete()
    except (ProtectedError, RestrictedError) as exc:
        blockers = sorted({str(o._meta.verbose_name_plural) for o in exc.args[1]})
        raise DemoError(
            f"Cannot remove {TOWN}: other records refer to it ({', '.join(blockers)}). "
            "Remove those first, or start a new database."
        ) from exc
    audit_record(
        actor=None,
        action="delete",
        object_type=MARKER,
        object_id=previous.object_id if previous else "",
        changed_fields=["demo.town"],
    )
    return True
