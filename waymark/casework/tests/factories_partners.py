"""Factories for partners, their contacts, guardianships and training, and for the actions a
partner owns (with the smallest case, assessment, plan and goal that hold one)."""

import datetime
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.casework.models import (
    Action,
    Assessment,
    AssessmentArea,
    AssessmentKind,
    CaseStatus,
    ContextCase,
    ContextPlan,
    Goal,
    Guardianship,
    OwnerKind,
    Partner,
    PartnerContact,
    PartnerKind,
    SubjectKind,
    Threshold,
    TrainingRecord,
)
from waymark.contexts.tests.factories import PlaceFactory


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Eastbridge Partner {n}")
    kind = PartnerKind.BUSINESS
    agency = factory.SubFactory(AgencyFactory)
    created_by = factory.SubFactory(UserFactory, agency=factory.SelfAttribute("..agency"))


class PartnerContactFactory(DjangoModelFactory):
    class Meta:
        model = PartnerContact

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Faker("name", locale="en_GB")
    role = "Manager"
    phone = "01632 960 001"
    email = factory.Sequence(lambda n: f"contact{n}@example.com")


class GuardianshipFactory(DjangoModelFactory):
    class Meta:
        model = Guardianship

    partner = factory.SubFactory(PartnerFactory)
    place = factory.SubFactory(PlaceFactory)
    hours = "Mon-Sat 07:00-22:00"


class TrainingRecordFactory(DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    partner = factory.SubFactory(PartnerFactory)
    course = "Exploitation awareness"
    delivered_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=300))
    number_trained = 6
    refresh_due = factory.LazyAttribute(lambda o: o.delivered_on + datetime.timedelta(days=365))
    recorded_by = factory.SubFactory(UserFactory)


class PartnerCaseFactory(DjangoModelFactory):
    """An open case about a place, for partners' actions to belong to."""

    class Meta:
        model = ContextCase

    reference = factory.Sequence(lambda n: f"CC-P{n:04d}")
    subject_kind = SubjectKind.PLACE
    place = factory.SubFactory(PlaceFactory)
    status = CaseStatus.OPEN
    threshold = Threshold.PARTNERSHIP_PLUS
    lead_agency = factory.SubFactory(AgencyFactory)


def partner_action_make(
    *,
    partner: Partner,
    case: ContextCase | None = None,
    description: str = "Staff know who to call when a child seems at risk",
    outcome: str = "Young people can name an adult at the station they trust",
    due_on: datetime.date | None = None,
    **action: Any,
) -> Action:
    """An action owned by the partner, on a goal of a plan of `case` (a new case if none)."""
    found: Any = case or PartnerCaseFactory()
    worker: Any = UserFactory(agency=found.lead_agency)
    plan = ContextPlan.objects.filter(case=found).first() or ContextPlan.objects.create(
        case=found, started_on=timezone.localdate(), agreed_by=worker
    )
    assessment = found.assessments.first() or Assessment.objects.create(
        case=found,
        kind=AssessmentKind.LOCATION,
        number=1,
        started_on=timezone.localdate(),
        assessed_by=worker,
    )
    area = assessment.areas.first() or AssessmentArea.objects.create(
        assessment=assessment, area="guardianship", findings="Few adults about", rating=2
    )
    goal = Goal.objects.create(plan=plan, outcome=outcome, finding=area)
    return Action.objects.create(
        goal=goal,
        description=description,
        owner_kind=OwnerKind.PARTNER,
        owner_partner=partner,
        due_on=due_on or timezone.localdate() + datetime.timedelta(days=30),
        **action,
    )
