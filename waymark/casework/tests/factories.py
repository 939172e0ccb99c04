"""Factories for context cases and what hangs off them.

Other parts of the case work add theirs in `factories_<part>.py` beside this module.
"""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.casework.models import (
    Action,
    Assessment,
    AssessmentArea,
    AssessmentKind,
    CaseLink,
    CaseStatus,
    ContextCase,
    ContextPlan,
    Goal,
    Partner,
    PartnerKind,
    Referral,
    Review,
    Screening,
    SourceReliability,
    SubjectKind,
    Threshold,
)
from waymark.contexts.models import Neighbourhood, OnlineSpace, OnlineSpaceKind
from waymark.contexts.tests.factories import PlaceFactory, WardFactory
from waymark.core.references import reference_new
from waymark.people.tests.factories import YoungPersonFactory


def _today() -> datetime.date:
    return timezone.localdate()


class OnlineSpaceFactory(DjangoModelFactory):
    class Meta:
        model = OnlineSpace

    reference = factory.LazyFunction(lambda: reference_new("OS"))
    platform = "Snapchat"
    name = factory.Sequence(lambda n: f"Year 9 chat {n}")
    kind = OnlineSpaceKind.GROUP_CHAT
    how_children_meet = "Invited by friends from school"


class NeighbourhoodFactory(DjangoModelFactory):
    class Meta:
        model = Neighbourhood

    reference = factory.LazyFunction(lambda: reference_new("NB"))
    name = factory.Sequence(lambda n: f"Neighbourhood {n}")
    ward = factory.SubFactory(WardFactory)


class ContextCaseFactory(DjangoModelFactory):
    """A referred case about a place. Pass `subject_kind` and the matching subject for others."""

    class Meta:
        model = ContextCase

    reference = factory.LazyFunction(lambda: reference_new("CC"))
    subject_kind = SubjectKind.PLACE
    place = factory.Maybe(
        factory.LazyAttribute(lambda o: o.subject_kind == SubjectKind.PLACE),
        factory.SubFactory(PlaceFactory),
        None,
    )
    lead_agency = factory.SubFactory(AgencyFactory)
    lead_worker = factory.SubFactory(UserFactory, agency=factory.SelfAttribute("..lead_agency"))
    created_by = factory.SelfAttribute("lead_worker")
    status = CaseStatus.REFERRED


class OpenCaseFactory(ContextCaseFactory):
    status = CaseStatus.OPEN
    threshold = Threshold.PARTNERSHIP_PLUS


class ReferralFactory(DjangoModelFactory):
    class Meta:
        model = Referral

    case = factory.SubFactory(ContextCaseFactory)
    referred_by = factory.SelfAttribute("case.lead_worker")
    referring_agency = factory.SelfAttribute("case.lead_agency")
    referred_on = factory.LazyFunction(_today)
    reason = "Children are being approached by older males here after school."
    source = "Youth worker's observation visits"
    reliability = SourceReliability.MOSTLY_RELIABLE


class ScreeningFactory(DjangoModelFactory):
    class Meta:
        model = Screening

    case = factory.SubFactory(OpenCaseFactory)
    decision = Threshold.PARTNERSHIP_PLUS
    reason = "Several agencies report the same pattern."
    decided_by = factory.SelfAttribute("case.lead_worker")
    decided_on = factory.LazyFunction(_today)


class AssessmentFactory(DjangoModelFactory):
    class Meta:
        model = Assessment

    case = factory.SubFactory(OpenCaseFactory)
    kind = AssessmentKind.LOCATION
    number = factory.Sequence(lambda n: n + 1)
    started_on = factory.LazyFunction(_today)
    assessed_by = factory.SelfAttribute("case.lead_worker")


class AssessmentAreaFactory(DjangoModelFactory):
    class Meta:
        model = AssessmentArea

    assessment = factory.SubFactory(AssessmentFactory)
    area = "guardianship"
    findings = "No adults with a caring intent are present after 6pm."
    rating = 2


class ContextPlanFactory(DjangoModelFactory):
    class Meta:
        model = ContextPlan

    case = factory.SubFactory(OpenCaseFactory)
    started_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=30))
    summary = "Bring trusted adults back to the place in the evening."
    agreed_by = factory.SelfAttribute("case.lead_worker")


class GoalFactory(DjangoModelFactory):
    class Meta:
        model = Goal

    plan = factory.SubFactory(ContextPlanFactory)
    outcome = "Young people can name an adult at the place they trust."
    finding = factory.SubFactory(
        AssessmentAreaFactory, assessment__case=factory.SelfAttribute("...plan.case")
    )


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Corner Shop {n}")
    kind = PartnerKind.BUSINESS
    agency = factory.SubFactory(AgencyFactory)


class ActionFactory(DjangoModelFactory):
    """An action owned by an agency; use `owner_kind="worker", owner_agency=None,
    owner_worker=...` or the partner equivalent for other owners."""

    class Meta:
        model = Action

    goal = factory.SubFactory(GoalFactory)
    description = "Shop staff trained to spot and report warning signs."
    owner_kind = "agency"
    owner_agency = factory.SelfAttribute("goal.plan.case.lead_agency")
    due_on = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=30))


class ReviewFactory(DjangoModelFactory):
    class Meta:
        model = Review

    case = factory.SubFactory(OpenCaseFactory)
    held_on = factory.LazyFunction(_today)
    summary = "Progress on guardianship; lighting still to be fixed."
    reviewed_by = factory.SelfAttribute("case.lead_worker")


class CaseLinkFactory(DjangoModelFactory):
    class Meta:
        model = CaseLink

    case = factory.SubFactory(OpenCaseFactory)
    young_person = factory.SubFactory(YoungPersonFactory)
    reason = "Seen at the place by her youth worker."
    linked_by = factory.SelfAttribute("case.lead_worker")
    linked_on = factory.LazyFunction(_today)
