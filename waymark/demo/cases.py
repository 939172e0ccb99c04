"""Context cases in the demo town, at every stage, with the partners who carry out their plans.

Written after the concerns, with the ORM, and audited by the town's one summarising event as the
rest of the town is (see `generator`). Everything is dated from the build's today, so a town
built on any day reads the same: the two planted place cases' plans started `PLAN_MONTHS` before
it, and their concerns before and after (`planted.plant_context_places`) are what the outcomes
compare.

The cases, by stage:

- the improved place (plan working: concerns at the place fell, the area's did not) and the
  unchanged place (concerns much as before), each reviewed twice;
- a saved peer group, assessed with the peer group assessment;
- a school, assessed with the traffic light and re-assessed (improving), then closed;
- an online space (a group chat), screened at Universal;
- a neighbourhood (the cells of an emerging hot spot), just referred;
- a park, screened no further action;
- a hotel, planned, whose first review is overdue.

Partners are synthetic: contact names come from the demo's name generator, telephone numbers
from the range Ofcom keeps for drama, email addresses from example.com.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import h3
from django.db import models
from faker import Faker

from waymark.accounts.models import Agency, User
from waymark.casework.instruments import INSTRUMENTS
from waymark.casework.models import (
    Action,
    ActionStatus,
    Assessment,
    AssessmentArea,
    AssessmentKind,
    AssessmentMethod,
    CaseLink,
    CaseStatus,
    ContextCase,
    ContextPlan,
    Goal,
    GoalMeasure,
    Guardianship,
    OwnerKind,
    Partner,
    PartnerContact,
    PartnerKind,
    Referral,
    Review,
    Screening,
    ScreeningDecision,
    SourceReliability,
    SubjectKind,
    TrainingRecord,
    YoungVoice,
)
from waymark.concerns.models import Concern, ConcernYoungPerson
from waymark.contexts.models import (
    Neighbourhood,
    OnlineSpace,
    OnlineSpaceKind,
    PeerGroup,
    PeerGroupMember,
    Place,
)
from waymark.core.references import reference_new
from waymark.people.models import YoungPerson

from .agencies import ACADEMY, BUSINESS, COMMUNITY_SAFETY, POLICE, TRANSPORT, YOUTH, agency_of
from .names import ETHNIC_MIX, child_name
from .plan import AREA_RESOLUTION, PatternPlan, stream
from .planted import context_plan_start
from .town import Town

REVIEW_EVERY = datetime.timedelta(days=91)


@dataclass(frozen=True)
class Stage:
    """The stage a demo case has reached, with its subject and status."""

    name: str
    subject_kind: str
    status: str


# The demo's cases by the stage each has reached, for the tests and the docs.
STAGES = (
    Stage("referred", SubjectKind.NEIGHBOURHOOD, CaseStatus.REFERRED),
    Stage("screened", SubjectKind.ONLINE_SPACE, CaseStatus.OPEN),
    Stage("no_further_action", SubjectKind.PLACE, CaseStatus.NO_FURTHER_ACTION),
    Stage("assessed", SubjectKind.PEER_GROUP, CaseStatus.OPEN),
    Stage("planned", SubjectKind.PLACE, CaseStatus.OPEN),
    Stage("reviewed", SubjectKind.PLACE, CaseStatus.OPEN),
    Stage("closed", SubjectKind.PLACE, CaseStatus.CLOSED),
)


class _Writer:
    def __init__(
        self, *, seed: int, today: datetime.date, users: list[User], agencies: dict[str, Agency]
    ) -> None:
        self.rng = stream(seed, "context-cases")
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed + 2)
        self.today = today
        self.user = {u.username: u for u in users}
        self.agency = agencies
        self.counts: dict[str, int] = {}

    def day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days_ago)

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def reference(self, prefix: str, model: type[models.Model]) -> str:
        while True:
            ref = reference_new(prefix, rng=self.rng)
            if not model._default_manager.filter(reference=ref).exists():
                return ref

    # --- a case and its records ----------------------------------------------------------

    def case(
        self,
        *,
        lead: str,
        referred_by: str,
        referred_on: datetime.date,
        reason: str,
        source: str,
        concerns: list[int] | None = None,
        area_evidence: dict | None = None,
        subject_kind: str,
        place: Place | None = None,
        peer_group: PeerGroup | None = None,
        online_space: OnlineSpace | None = None,
        neighbourhood: Neighbourhood | None = None,
    ) -> ContextCase:
        worker = self.user[lead]
        case = ContextCase.objects.create(
            reference=self.reference("CC", ContextCase),
            subject_kind=subject_kind,
            place=place,
            peer_group=peer_group,
            online_space=online_space,
            neighbourhood=neighbourhood,
            lead_agency=agency_of(worker),
            lead_worker=worker,
            created_by=self.user[referred_by],
        )
        referrer = self.user[referred_by]
        referral = Referral.objects.create(
            case=case,
            referred_by=referrer,
            referring_agency=agency_of(referrer),
            referred_on=referred_on,
            reason=reason,
            source=source,
            reliability=SourceReliability.RELIABLE,
            area_evidence=area_evidence or {},
            peer_group=peer_group,
        )
        if concerns:
            referral.concerns.set(concerns)
        self.count("context cases")
        return case

    def screen(
        self, case: ContextCase, decision: str, on: datetime.date, reason: str, by: str = "chair"
    ) -> None:
        Screening.objects.create(
            case=case, decision=decision, reason=reason, decided_by=self.user[by], decided_on=on
        )
        if decision == ScreeningDecision.NO_FURTHER_ACTION:
            case.status = CaseStatus.NO_FURTHER_ACTION
            case.closed_on = on
        else:
            case.status, case.threshold = CaseStatus.OPEN, decision
        case.save(update_fields=["status", "threshold", "closed_on"])

    def assess(
        self,
        case: ContextCase,
        *,
        kind: str,
        number: int,
        started_on: datetime.date,
        by: str,
        methods: list[str],
        summary: str,
        areas: dict[str, tuple[int, str, str, str]],  # key: rating, findings, strengths, concerns
        voices: Sequence[tuple[str, str]] = (),
        concerns: list[int] | None = None,
    ) -> dict[str, AssessmentArea]:
        instrument = INSTRUMENTS[kind]
        assessment = Assessment.objects.create(
            case=case,
            kind=kind,
            number=number,
            started_on=started_on,
            completed_on=started_on + datetime.timedelta(days=21),
            methods=methods,
            summary=summary,
            assessed_by=self.user[by],
        )
        if concerns:
            assessment.concerns.set(concerns)
        rows = AssessmentArea.objects.bulk_create(
            AssessmentArea(
                assessment=assessment,
                area=key,
                rating=areas[key][0],
                findings=areas[key][1],
                strengths=areas[key][2],
                concerns=areas[key][3],
            )
            for key in instrument.keys
        )
        YoungVoice.objects.bulk_create(
            YoungVoice(assessment=assessment, quote=quote, attributed_to=who)
            for quote, who in voices
        )
        self.count("assessments")
        self.count("young voices", len(voices))
        return {row.area: row for row in rows}

    def plan(
        self, case: ContextCase, started_on: datetime.date, summary: str, by: str
    ) -> ContextPlan:
        plan = ContextPlan.objects.create(
            case=case, started_on=started_on, summary=summary, agreed_by=self.user[by]
        )
        case.next_review_on = started_on + REVIEW_EVERY
        case.save(update_fields=["next_review_on"])
        return plan

    def goal(
        self,
        plan: ContextPlan,
        finding: AssessmentArea,
        outcome: str,
        indicator: str,
        actions: list[tuple[str, object, int, str]],  # description, owner, due in days, status
        measures: Sequence[tuple[int, float, str]] = (),  # days after the start, value, note
        by: str = "practitioner",
    ) -> Goal:
        goal = Goal.objects.create(plan=plan, outcome=outcome, finding=finding, indicator=indicator)
        for description, owner, due_in, status in actions:
            due_on = plan.started_on + datetime.timedelta(days=due_in)
            Action.objects.create(
                goal=goal,
                description=description,
                due_on=due_on,
                status=status,
                completed_on=min(due_on, self.today) if status == ActionStatus.DONE else None,
                evidence="Seen at the review" if status == ActionStatus.DONE else "",
                **self._owner(owner),
            )
            self.count("actions")
        GoalMeasure.objects.bulk_create(
            GoalMeasure(
                goal=goal,
                measured_on=plan.started_on + datetime.timedelta(days=days),
                value=value,
                note=note,
                recorded_by=self.user[by],
            )
            for days, value, note in measures
        )
        self.count("goals")
        self.count("goal measures", len(measures))
        return goal

    @staticmethod
    def _owner(owner: object) -> dict[str, object]:
        if isinstance(owner, Partner):
            return {"owner_kind": OwnerKind.PARTNER, "owner_partner": owner}
        if isinstance(owner, User):
            return {"owner_kind": OwnerKind.WORKER, "owner_worker": owner}
        return {"owner_kind": OwnerKind.AGENCY, "owner_agency": owner}

    def review(self, case: ContextCase, held_on: datetime.date, summary: str, by: str) -> None:
        next_on = held_on + REVIEW_EVERY
        Review.objects.create(
            case=case,
            held_on=held_on,
            summary=summary,
            next_review_on=next_on,
            reviewed_by=self.user[by],
        )
        case.next_review_on = next_on
        case.save(update_fields=["next_review_on"])
        self.count("reviews")

    def link(self, case: ContextCase, people: list[YoungPerson], reason: str, by: str) -> None:
        CaseLink.objects.bulk_create(
            CaseLink(
                case=case,
                young_person=person,
                reason=reason,
                linked_by=self.user[by],
                linked_on=case.referral.referred_on + datetime.timedelta(days=3),
            )
            for person in people
        )
        self.count("case links", len(people))

    # --- partners ------------------------------------------------------------------------

    def partner(self, name: str, kind: str, agency: str, notes: str, contacts: int = 1) -> Partner:
        partner = Partner.objects.create(
            name=name, kind=kind, agency=self.agency[agency], notes=notes
        )
        for n in range(contacts):
            pool = self.rng.choices(
                [p for _, _, p in ETHNIC_MIX], weights=[w for _, w, _ in ETHNIC_MIX]
            )[0]
            first, last = child_name(self.fake, self.rng, pool, self.rng.choice(["girl", "boy"]))
            PartnerContact.objects.create(
                partner=partner,
                name=f"{first} {last}",
                role=["Owner", "Manager", "Duty manager", "Safeguarding lead"][n % 4],
                phone=f"07700 900{self.rng.randrange(1000):03d}",
                email=f"{first}.{last}@example.com".lower().replace(" ", "").replace("'", ""),
            )
        self.count("partners")
        self.count("partner contacts", contacts)
        return partner

    def train(
        self, partner: Partner, course: str, delivered: int, refresh_in: int, trained: int
    ) -> None:
        """Training `delivered` days ago, due to be refreshed `refresh_in` days from today."""
        TrainingRecord.objects.create(
            partner=partner,
            course=course,
            delivered_on=self.day(delivered),
            number_trained=trained,
            refresh_due=self.today + datetime.timedelta(days=refresh_in),
            recorded_by=self.user["towncentre"],
        )
        self.count("training records")


def write_cases(
    *,
    seed: int,
    today: datetime.date,
    town: Town,
    patterns: PatternPlan,
    places: list[Place],
    young_people: list[YoungPerson],
    users: list[User],
    agencies: dict[str, Agency],
) -> dict[str, int]:
    """Write the demo's context cases and partners; return how many of each record."""
    w = _Writer(seed=seed, today=today, users=users, agencies=agencies)
    improved = places[patterns.context_places.improved]
    unchanged = places[patterns.context_places.unchanged]
    hotel = places[next(r.place for r in patterns.rising if r.sudden)]
    start = context_plan_start(today)

    # Partners, with their guardianship of the planted places and their training.
    shop = w.partner(
        f"{town.places[patterns.context_places.unchanged].name.split(',')[0]} (owner)",
        PartnerKind.BUSINESS,
        BUSINESS,
        "Family-run; the owner chairs the traders' group on the parade.",
        contacts=2,
    )
    takeaway = w.partner(
        "Eastbridge Takeaway Owners' Forum",
        PartnerKind.TAKEAWAY,
        COMMUNITY_SAFETY,
        "Owners of late-opening takeaways; meets monthly with the licensing team.",
    )
    hotel_partner = w.partner(
        hotel.name, PartnerKind.HOTEL, POLICE, "Independent hotel; night porter on duty.", 2
    )
    taxi = w.partner(
        "Eastbridge Private Hire",
        PartnerKind.TAXI,
        COMMUNITY_SAFETY,
        "Largest private-hire firm in the town; 60 licensed drivers.",
    )
    buses = w.partner(
        "Eastbridge station staff (Midshire Buses)",
        PartnerKind.TRANSPORT,
        TRANSPORT,
        "Station supervisors and travel safety officers.",
    )
    w.partner(
        "Abbey Road Community Centre",
        PartnerKind.FAITH_COMMUNITY,
        YOUTH,
        "Hosts the Friday youth club and the detached team's drop-in.",
    )
    # Who runs the improved place: station staff at a stop or station, the owners' forum at a
    # takeaway.
    site, site_hours = (
        (buses, "Every day 6am to 11pm")
        if improved.kind == "transport"
        else (takeaway, "Every day 4pm to midnight")
    )
    Guardianship.objects.bulk_create(
        [
            Guardianship(partner=shop, place=unchanged, hours="Monday to Saturday 7am to 10pm"),
            Guardianship(partner=site, place=improved, hours=site_hours),
            Guardianship(partner=taxi, place=improved, hours="Friday and Saturday 8pm to 3am"),
            Guardianship(partner=hotel_partner, place=hotel, hours="Night porter 10pm to 7am"),
        ]
    )
    w.count("guardianships", 4)
    awareness = "Exploitation awareness for night-time economy staff"
    w.train(taxi, awareness, delivered=340, refresh_in=25, trained=42)  # refresh due soon
    w.train(hotel_partner, awareness, delivered=400, refresh_in=-35, trained=6)  # overdue
    w.train(takeaway, awareness, delivered=200, refresh_in=165, trained=18)
    w.train(buses, "Safeguarding for transport staff", delivered=150, refresh_in=215, trained=24)
    w.train(shop, "Spotting exploitation at the counter", delivered=120, refresh_in=245, trained=4)

    concerns_at = {
        place.pk: list(
            Concern.objects.filter(place=place)
            .order_by("occurred_on")
            .values_list("pk", "occurred_on")
        )
        for place in (improved, unchanged, hotel)
    }

    def before(place: Place, day: datetime.date) -> list[int]:
        return [pk for pk, on in concerns_at[place.pk] if on < day]

    # 1. The improved place: referred, assessed, planned 8 months ago, reviewed twice.
    referred = start - datetime.timedelta(days=75)
    case = w.case(
        place=improved,
        subject_kind=SubjectKind.PLACE,
        lead="k.ahmed",
        referred_by="police",
        referred_on=referred,
        reason="Repeated reports of young people being approached here after dark, and of "
        "children waiting here late at night for lifts from adults not known to them.",
        source="Neighbourhood policing patrol logs and partner reports",
        concerns=before(improved, referred),
    )
    w.screen(
        case,
        ScreeningDecision.PARTNERSHIP_PLUS,
        referred + datetime.timedelta(days=7),
        "Several agencies report the same pattern: a coordinated partnership response.",
    )
    areas = w.assess(
        case,
        kind=AssessmentKind.LOCATION,
        number=1,
        started_on=referred + datetime.timedelta(days=14),
        by="k.ahmed",
        methods=[
            AssessmentMethod.OBSERVATION,
            AssessmentMethod.BUSINESS_SURVEY,
            AssessmentMethod.YOUTH_PANEL,
        ],
        summary="Young people gather here from late afternoon; adults who approach them are "
        "not challenged, and no staff know whom to tell.",
        areas={
            "young_people": (
                2,
                "Young people come here because it is warm, lit and open late.",
                "Many look out for each other.",
                "Some are approached for errands.",
            ),
            "guardianship": (
                1,
                "Staff see young people approached but do not know who to tell.",
                "Staff are willing to help.",
                "No one on site has had training.",
            ),
            "environment": (
                2,
                "The rear of the premises is unlit and out of sight of the street.",
                "Good lighting at the front.",
                "The back entrance has no camera.",
            ),
        },
        voices=[
            ("It's the only place open after 9 where you can just sit.", ""),
            (
                "Older lads hang around out back and ask you to take stuff places.",
                "a boy in Year 10",
            ),
            ("If the staff knew us they'd probably say something.", "a girl in Year 9"),
        ],
        concerns=before(improved, referred),
    )
    plan = w.plan(
        case,
        start,
        "Make the place and the ground behind it watched and safe, with staff who know what to do.",
        by="chair",
    )
    w.goal(
        plan,
        areas["guardianship"],
        "Staff recognise young people being approached and know whom to tell.",
        "Staff trained in exploitation awareness",
        [
            (
                "Deliver exploitation awareness training to all evening staff",
                w.agency[COMMUNITY_SAFETY],
                30,
                ActionStatus.DONE,
            ),
            (
                "Display the reporting card where staff and young people see it",
                site,
                20,
                ActionStatus.DONE,
            ),
            ("Brief drivers on the rank about the reporting route", taxi, 45, ActionStatus.DONE),
        ],
        measures=[
            (0, 0, "Before training"),
            (35, 12, ""),
            (90, 24, ""),
            (180, 31, "All evening staff"),
        ],
    )
    w.goal(
        plan,
        areas["environment"],
        "The ground behind the place is lit and overlooked.",
        "Rear area lit and covered by camera",
        [
            ("Install lighting and a camera over the rear entrance", site, 60, ActionStatus.DONE),
            (
                "Patrol the rear area on Friday and Saturday evenings",
                w.user["r.campbell"],
                90,
                ActionStatus.IN_PROGRESS,
            ),
        ],
    )
    w.goal(
        plan,
        areas["young_people"],
        "Young people have somewhere safe and warm to go in the evening.",
        "Young people's survey: feel safe here (out of 10)",
        [
            (
                "Run a detached session nearby on Friday evenings",
                w.agency[YOUTH],
                40,
                ActionStatus.DONE,
            )
        ],
        measures=[(0, 4.1, "Youth panel"), (120, 5.8, "Youth panel"), (220, 7.2, "Youth panel")],
        by="youthworker",
    )
    w.review(
        case,
        start + datetime.timedelta(days=90),
        "Training done; lighting in. Fewer reports of approaches since the plan started.",
        by="chair",
    )
    w.review(
        case,
        start + datetime.timedelta(days=181),
        "Concerns at the place well down, "
        "the area's much as before. Keep the plan a further quarter.",
        by="chair",
    )

    # 2. The unchanged place: planned 8 months ago, reviewed twice, nothing much changed.
    referred = start - datetime.timedelta(days=60)
    case = w.case(
        place=unchanged,
        subject_kind=SubjectKind.PLACE,
        lead="towncentre",
        referred_by="towncentre",
        referred_on=referred,
        reason="Young people buying alcohol and vapes here; adults seen buying for them.",
        source="Town centre rangers' reports",
        concerns=before(unchanged, referred),
    )
    w.screen(
        case,
        ScreeningDecision.UNIVERSAL,
        referred + datetime.timedelta(days=10),
        "One agency's reports; the shop is willing to work with us.",
    )
    areas = w.assess(
        case,
        kind=AssessmentKind.LOCATION,
        number=1,
        started_on=referred + datetime.timedelta(days=20),
        by="towncentre",
        methods=[AssessmentMethod.OBSERVATION, AssessmentMethod.BUSINESS_SURVEY],
        summary="Proxy buying outside the shop in the evening; staff change often.",
        areas={
            "young_people": (3, "Young people meet here on the way home.", "", ""),
            "guardianship": (
                2,
                "The owner challenges proxy buying; evening staff do not.",
                "Owner committed.",
                "Evening staff turnover.",
            ),
            "environment": (3, "Well lit, overlooked by flats.", "", ""),
        },
        voices=[
            ("Someone's always about who'll get you stuff.", "a young person at the youth club")
        ],
    )
    plan = w.plan(case, start, "Stop proxy buying at the shop.", by="towncentre")
    w.goal(
        plan,
        areas["guardianship"],
        "Evening staff refuse and report proxy buying.",
        "Evening staff trained",
        [
            ("Train evening staff on proxy buying and reporting", shop, 30, ActionStatus.DONE),
            (
                "Visit on Friday evenings with the licensing officer",
                w.user["towncentre"],
                60,
                ActionStatus.IN_PROGRESS,
            ),
        ],
        measures=[(0, 0, ""), (60, 3, ""), (150, 4, "")],
        by="towncentre",
    )
    w.review(
        case,
        start + datetime.timedelta(days=95),
        "Evening staff trained; proxy buying still seen on Friday evenings.",
        by="towncentre",
    )
    w.review(
        case,
        start + datetime.timedelta(days=185),
        "Concerns at the shop much as before the plan. Ask the licensing team to join the plan.",
        by="towncentre",
    )

    # 3. A saved peer group, assessed.
    group_plan = patterns.groups[0]
    members = [young_people[i] for i in group_plan.members]
    group = PeerGroup.objects.create(
        reference=w.reference("PG", PeerGroup),
        name=f"Group around {places[group_plan.hangout].name.split(',')[0]}",
        description="Young people who spend time together at the hangout.",
        created_by=w.user["youthworker"],
        created_by_agency=w.agency[YOUTH],
    )
    PeerGroupMember.objects.bulk_create(
        PeerGroupMember(
            peer_group=group, young_person=m, added_on=w.day(70), added_by=w.user["youthworker"]
        )
        for m in members
    )
    referred = w.day(70)
    case = w.case(
        peer_group=group,
        subject_kind=SubjectKind.PEER_GROUP,
        lead="youthworker",
        referred_by="youthworker",
        referred_on=referred,
        reason="A close group seen with an older man; several missing episodes.",
        source="Detached youth work and missing-episode returns",
    )
    w.screen(
        case,
        ScreeningDecision.COMPLEX,
        referred + datetime.timedelta(days=5),
        "Exploitation by an adult is suspected: complex.",
    )
    w.assess(
        case,
        kind=AssessmentKind.PEER_GROUP,
        number=1,
        started_on=referred + datetime.timedelta(days=12),
        by="youthworker",
        methods=[AssessmentMethod.OBSERVATION, AssessmentMethod.FOCUS_GROUP],
        summary="A loyal group; one older adult sets the terms and pays for food and travel.",
        areas={
            "dynamics": (2, "Two older members lead; the rest follow.", "Loyal to each other.", ""),
            "relationships": (
                2,
                "Friendship, with some debt to the adult.",
                "Long friendships.",
                "Debt.",
            ),
            "influence": (
                1,
                "Members are pressed to carry and run errands.",
                "",
                "Pressure to carry.",
            ),
            "places": (2, "The hangout and the streets around it, most evenings.", "", ""),
        },
        voices=[("We look after each other, that's it.", "a member of the group")],
    )

    # 4. A school: traffic light, re-assessed (improving), closed.
    school = next(p for p in places if p.name == "Eastbridge Academy")
    referred = w.day(400)
    case = w.case(
        place=school,
        subject_kind=SubjectKind.PLACE,
        lead="school",
        referred_by="school",
        referred_on=referred,
        reason="Harmful sexual behaviour between pupils reported in corridors and online.",
        source="Designated safeguarding lead's records",
    )
    w.screen(
        case,
        ScreeningDecision.PARTNERSHIP_PLUS,
        referred + datetime.timedelta(days=7),
        "School-wide pattern: a partnership response.",
    )
    first = w.assess(
        case,
        kind=AssessmentKind.SCHOOL,
        number=1,
        started_on=referred + datetime.timedelta(days=14),
        by="school",
        methods=[AssessmentMethod.STUDENT_SURVEY, AssessmentMethod.SAFETY_MAPPING],
        summary="Recording is good; prevention and the response to reports lag behind.",
        areas={
            "structures": (2, "Recording good; no policy on harm outside school.", "", ""),
            "prevention": (1, "Little teaching on healthy relationships in Years 8 and 9.", "", ""),
            "identification": (
                2,
                "Staff spot some signs; corridors at changeover unwatched.",
                "",
                "",
            ),
            "response": (1, "Pupils do not trust that reports are acted on.", "", ""),
        },
        voices=[
            ("Nobody tells because nothing happens.", "a girl in Year 9"),
            ("The stairs by the science block are where it happens.", "a pupil in Year 8"),
        ],
    )
    plan = w.plan(
        case,
        referred + datetime.timedelta(days=45),
        "Pupils trust the school to act and the places where harm happens are watched.",
        by="school",
    )
    w.goal(
        plan,
        first["response"],
        "Pupils trust that a report is acted on.",
        "Student survey: trust that reports are acted on (%)",
        [
            (
                "Publish what happens after a report, in assemblies",
                w.user["d.evans"],
                30,
                ActionStatus.DONE,
            )
        ],
        measures=[
            (0, 31, "Student survey"),
            (150, 52, "Student survey"),
            (300, 68, "Student survey"),
        ],
        by="school",
    )
    w.goal(
        plan,
        first["prevention"],
        "Years 8 and 9 learn about healthy relationships.",
        "Lessons delivered",
        [
            (
                "Deliver the relationships programme to Years 8 and 9",
                w.agency[ACADEMY],
                90,
                ActionStatus.DONE,
            )
        ],
    )
    w.assess(
        case,
        kind=AssessmentKind.SCHOOL,
        number=2,
        started_on=plan.started_on + datetime.timedelta(days=240),
        by="school",
        methods=[AssessmentMethod.STUDENT_SURVEY],
        summary="Improving: pupils report sooner and trust the response more.",
        areas={
            "structures": (3, "Policy now covers harm outside school.", "", ""),
            "prevention": (2, "Programme delivered; Year 7 still to follow.", "", ""),
            "identification": (3, "Staff on the stairs at changeover.", "", ""),
            "response": (2, "Most pupils now say reports are acted on.", "", ""),
        },
        voices=[("Miss actually did something when I told her.", "a pupil in Year 9")],
    )
    w.review(case, plan.started_on + datetime.timedelta(days=120), "On track.", by="school")
    case.status, case.closed_on = CaseStatus.CLOSED, plan.started_on + datetime.timedelta(days=290)
    case.closure_reason = "Goals met: the re-assessment is better in every area."
    case.next_review_on = None
    case.save(update_fields=["status", "closed_on", "closure_reason", "next_review_on"])

    # 5. An online space, screened at Universal; the children named in its concerns linked.
    space = OnlineSpace.objects.create(
        reference=w.reference("OS", OnlineSpace),
        platform="Snapchat",
        name="EB yr10 chat",
        kind=OnlineSpaceKind.GROUP_CHAT,
        how_children_meet="Added by friends of friends; links passed round at school.",
        moderation="None: the group's admins are pupils.",
        reporting_routes="In-app reporting only.",
        created_by=w.user["school"],
        created_by_agency=w.agency[ACADEMY],
    )
    referred = w.day(20)
    case = w.case(
        online_space=space,
        subject_kind=SubjectKind.ONLINE_SPACE,
        lead="school",
        referred_by="school",
        referred_on=referred,
        reason="Images shared without consent; adults asking to join.",
        source="Pupils' reports to the safeguarding lead",
    )
    w.screen(
        case,
        ScreeningDecision.UNIVERSAL,
        referred + datetime.timedelta(days=4),
        "Education and reporting routes first.",
        by="manager",
    )
    online = list(
        YoungPerson.objects.filter(
            pk__in=ConcernYoungPerson.objects.filter(
                concern__place__isnull=True, concern__risks__category="online"
            ).values("young_person")
        ).order_by("reference")[:3]
    )
    w.link(case, online, "Named in a concern about the group chat", by="school")

    # 6. A neighbourhood: the cells of an emerging hot spot, just referred.
    rising = next(r for r in patterns.rising if not r.sudden)
    spot = town.places[rising.place]
    cell = h3.latlng_to_cell(spot.latitude, spot.longitude, AREA_RESOLUTION)
    cells = sorted(h3.grid_disk(cell, 1))
    area = Neighbourhood.objects.create(
        reference=w.reference("NB", Neighbourhood),
        name=f"Around {spot.name.split(',')[0]}",
        cells=cells,
        created_by=w.user["analyst"],
    )
    w.case(
        neighbourhood=area,
        subject_kind=SubjectKind.NEIGHBOURHOOD,
        lead="analyst",
        referred_by="analyst",
        referred_on=w.day(2),
        reason="An intensifying hot spot on the Places page for most of the last year.",
        source="Emerging hot spot analysis",
        area_evidence={
            "cells": cells,
            "resolution": AREA_RESOLUTION,
            "period": [w.day(365).isoformat(), w.day(2).isoformat()],
            "category": "intensifying hot spot",
        },
    )

    # 7. A park, screened no further action.
    park = next(p for p in places if p.kind == "park" and p.pk != places[group_plan.hangout].pk)
    referred = w.day(50)
    case = w.case(
        place=park,
        subject_kind=SubjectKind.PLACE,
        lead="r.campbell",
        referred_by="r.campbell",
        referred_on=referred,
        reason="Complaints of young people drinking by the play area.",
        source="Residents' complaints",
    )
    w.screen(
        case,
        ScreeningDecision.NO_FURTHER_ACTION,
        referred + datetime.timedelta(days=6),
        "Anti-social behaviour, no sign of harm to children: for the neighbourhood team.",
    )

    # 8. The sudden hotel: planned, its first review overdue.
    referred = w.day(140)
    case = w.case(
        place=hotel,
        subject_kind=SubjectKind.PLACE,
        lead="s.nowak",
        referred_by="s.nowak",
        referred_on=referred,
        reason="Girls reported missing found at the hotel with older men.",
        source="Missing-episode returns and police intelligence",
        concerns=before(hotel, referred + datetime.timedelta(days=1)),
    )
    w.screen(
        case,
        ScreeningDecision.COMPLEX,
        referred + datetime.timedelta(days=2),
        "Suspected sexual exploitation at the premises: complex.",
        by="m.osei",
    )
    areas = w.assess(
        case,
        kind=AssessmentKind.LOCATION,
        number=1,
        started_on=referred + datetime.timedelta(days=5),
        by="s.nowak",
        methods=[AssessmentMethod.OBSERVATION, AssessmentMethod.BUSINESS_SURVEY],
        summary="Rooms booked by adults for young guests; night staff not trained.",
        areas={
            "young_people": (2, "Girls brought here by adults they met online.", "", ""),
            "guardianship": (1, "Night porter alone and untrained.", "Owner cooperative.", ""),
            "environment": (2, "Side door propped open at night.", "", ""),
        },
        voices=[("The man at the desk never asked how old we were.", "")],
    )
    plan = w.plan(
        case,
        referred + datetime.timedelta(days=30),
        "Close the hotel to exploitation: check-in checks and a trained night porter.",
        by="m.osei",
    )
    w.goal(
        plan,
        areas["guardianship"],
        "Night staff recognise and report young guests with adults.",
        "Night staff trained",
        [
            (
                "Refresh exploitation awareness training for night staff",
                hotel_partner,
                30,
                ActionStatus.NOT_STARTED,
            ),
            (
                "Check identity at check-in for every guest",
                hotel_partner,
                14,
                ActionStatus.IN_PROGRESS,
            ),
            ("Share the hotel watch scheme with taxi drivers", taxi, 45, ActionStatus.NOT_STARTED),
        ],
        measures=[(0, 1, "")],
        by="s.nowak",
    )
    # The plan set its first review for three months after it started; none has been held.

    for name in ("peer groups", "online spaces", "neighbourhoods"):
        w.count(name)
    return w.counts
