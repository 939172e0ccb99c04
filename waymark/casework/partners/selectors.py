"""Reads of the partner register.

Partners are the partnership's business: every user with the right to view partners sees the
whole register. Their contacts are personal data, so reading them writes an audit event.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from waymark.accounts.models import Agency
from waymark.accounts.types import Actor
from waymark.audit.models import AuditAction
from waymark.audit.reads import audit_reads
from waymark.audit.services import audit_record
from waymark.casework.models import (
    Action,
    Guardianship,
    Partner,
    PartnerContact,
    TrainingRecord,
)

# A refresh is "due soon" within this many days, and shows on the owning agency's dashboard.
REFRESH_WITHIN_DAYS = 30


def partner_list_visible_to(*, user: Actor) -> QuerySet[Partner]:
    if not user.is_authenticated or not user.has_perm("casework.view_partner"):
        return Partner.objects.none()
    return Partner.objects.select_related("agency")


def partner_search(*, user: Actor, query: str = "", kind: str = "") -> QuerySet[Partner]:
    """Partners whose name contains the words typed, of one kind if given."""
    partners = partner_list_visible_to(user=user)
    for word in query.split():
        partners = partners.filter(name__icontains=word)
    if kind:
        partners = partners.filter(kind=kind)
    return partners


CONTACT_PERMISSION = "casework.view_partnercontact"


def partner_contacts_read(
    *, user: Actor, partner: Partner, purpose: str = ""
) -> list[PartnerContact]:
    """The partner's contacts, their reading written to the audit trail; none for a user who
    may not see partners' contacts (`casework.view_partnercontact`)."""
    if not user.has_perm(CONTACT_PERMISSION):
        return []
    if not partner_list_visible_to(user=user).filter(pk=partner.pk).exists():
        return []
    contacts = list(PartnerContact.objects.filter(partner=partner))
    audit_reads(actor=user, objs=contacts, what="contact", purpose=purpose)
    return contacts


def guardianship_list_for(*, partner: Partner) -> QuerySet[Guardianship]:
    return (
        Guardianship.objects.filter(partner=partner)
        .select_related("place")
        .order_by("place__name", "id")
    )


def training_list_for(*, partner: Partner) -> QuerySet[TrainingRecord]:
    return TrainingRecord.objects.filter(partner=partner).order_by("-delivered_on", "id")


def _latest_of_each_course(records: QuerySet[TrainingRecord]) -> QuerySet[TrainingRecord]:
    """Leave out a record once the same course has been delivered again to the same partner:
    the later training is the one whose refresh counts."""
    refreshed = TrainingRecord.objects.filter(
        partner=OuterRef("partner"),
        course__iexact=OuterRef("course"),
        delivered_on__gt=OuterRef("delivered_on"),
    )
    return records.exclude(Exists(refreshed))


def training_refresh_due(
    *, agency: Agency, today: datetime.date, within_days: int = REFRESH_WITHIN_DAYS
) -> QuerySet[TrainingRecord]:
    """Refreshes due within `within_days` of today, or overdue, for partners whose relationship
    this agency owns: the latest training in each course only, soonest first."""
    records = TrainingRecord.objects.filter(
        partner__agency=agency,
        refresh_due__lte=today + datetime.timedelta(days=within_days),
    )
    return (
        _latest_of_each_course(records)
        .select_related("partner")
        .order_by("refresh_due", "partner__name", "id")
    )


@dataclass(frozen=True)
class RefreshState:
    label: str
    tag: str  # the GOV.UK tag colour modifier


def refresh_state(
    record: TrainingRecord, *, today: datetime.date, within_days: int = REFRESH_WITHIN_DAYS
) -> RefreshState:
    if record.refresh_due < today:
        return RefreshState("Refresh overdue", "govuk-tag--red")
    if record.refresh_due <= today + datetime.timedelta(days=within_days):
        return RefreshState("Refresh due soon", "govuk-tag--yellow")
    return RefreshState("Current", "govuk-tag--green")


def partner_actions(*, partner: Partner) -> QuerySet[Action]:
    """The actions this partner owns, across every case: the case, its subject and the goal
    each serves, soonest due first."""
    return (
        Action.objects.filter(Q(owner_partner=partner))
        .select_related(
            "goal__plan__case__place",
            "goal__plan__case__peer_group",
            "goal__plan__case__online_space",
            "goal__plan__case__neighbourhood",
        )
        .order_by("due_on", "id")
    )


# The columns of a partner's actions, on its printable page and in its CSV.
ACTION_COLUMNS = ["Case", "Context", "Goal", "Action", "Due", "Status"]


def partner_actions_export(*, user: Actor, partner: Partner) -> list[list[str]]:
    """The partner's actions as rows of ACTION_COLUMNS, for a file to hand on. The export is
    written to the audit trail: who took which partner's actions away, and how many."""
    rows = []
    for action in partner_actions(partner=partner):
        case = action.goal.plan.case
        rows.append(
            [
                case.reference,
                case.subject_name,
                action.goal.outcome,
                action.description,
                action.due_on.isoformat(),
                action.get_status_display(),
            ]
        )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=partner,
        changed_fields=["actions"],
        purpose=f"CSV of the {len(rows)} actions the partner owns",
    )
    return rows
