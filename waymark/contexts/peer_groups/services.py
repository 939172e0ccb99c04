"""Saving a peer group as a context: the subject of its own assessment and plan.

A detected group changes as links are recorded; a saved peer group keeps the members it had when
it was saved, because from then on practitioners decide who belongs to it. Validate, then write,
in one transaction with its audit event, whoever calls it (web, API, command).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from waymark.accounts.models import User
from waymark.accounts.types import Actor
from waymark.audit.services import audit_record
from waymark.contexts.models import DetectedGroup, PeerGroup, PeerGroupMember
from waymark.core.references import reference_assign_and_save

NAME_MAX_LENGTH = PeerGroup._meta.get_field("name").max_length or 120
DESCRIPTION_MAX_LENGTH = 2000


def peer_group_save(
    *, actor: Actor, detected_group: DetectedGroup, name: str, description: str = ""
) -> PeerGroup:
    """Save a detected group, with its current members, as a named peer group."""
    if (
        not isinstance(actor, User)
        or actor.agency_id is None
        or not actor.has_perm("contexts.add_peergroup")
    ):
        raise PermissionDenied("Only a worker of an agency may save a peer group")
    name, description = name.strip(), description.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Enter a name for the peer group"]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [f"The name must be {NAME_MAX_LENGTH} characters or fewer"]
    else:
        same = PeerGroup.objects.filter(name__iexact=name).first()
        if same is not None:
            errors["name"] = [f"A peer group called {same.name} already exists ({same.reference})"]
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [
            f"The description must be {DESCRIPTION_MAX_LENGTH} characters or fewer"
        ]
    if not detected_group.active:
        errors["detected_group"] = [
            f"{detected_group} was not found by the latest detection: save a current group"
        ]
    members = list(
        detected_group.memberships.order_by("young_person_id").values_list(
            "young_person_id", flat=True
        )
    )
    if detected_group.active and not members:
        errors["detected_group"] = [f"{detected_group} has no members"]
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        group = PeerGroup(
            name=name,
            description=description,
            detected_group=detected_group,
            created_by=actor,
            created_by_agency_id=actor.agency_id,
        )
        reference_assign_and_save(group, "PG")
        today = timezone.localdate()
        PeerGroupMember.objects.bulk_create(
            PeerGroupMember(
                peer_group=group, young_person_id=person, added_on=today, added_by=actor
            )
            for person in members
        )
        audit_record(
            actor=actor,
            action="create",
            obj=group,
            changed_fields=["name", "description", "detected_group", "members"],
            purpose=f"Saved {detected_group} as a peer group",
        )
    return group
