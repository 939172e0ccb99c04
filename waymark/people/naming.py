"""The one way to label a child or a person of concern on any page, API, map or export.

A young person is named only where the viewer may see their record
(`young_person_list_visible_to`); everyone else sees their pseudonymous reference. A person of
concern is named where the viewer may see persons of concern (`person_of_concern_list_visible_to`),
and shown by reference otherwise. Naming someone is reading their record, so each person named is
written to the audit trail, once per response however often they are named
(`waymark.audit.reads`).

Nothing else may print a name: templates use the `naming` tags (`{% young_person_shown %}`,
`{% person_of_concern_shown %}`), selectors and serializers call these functions.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Model

from waymark.accounts.types import Actor
from waymark.audit.reads import audit_reads

from .models import PersonOfConcern, YoungPerson
from .selectors import person_of_concern_list_visible_to, young_person_list_visible_to


@dataclass(frozen=True)
class PersonShown:
    """A young person as the viewer may see them: by name only with a right to see the record."""

    young_person: YoungPerson
    reference: str
    visible: bool
    label: str


@dataclass(frozen=True)
class PersonOfConcernShown:
    """A person of concern as the viewer may see them: by name only with a right to see them."""

    person: PersonOfConcern
    reference: str
    visible: bool
    label: str


def _ids(items: Iterable[Model | int]) -> set[int]:
    return {item if isinstance(item, int) else item.pk for item in items}


def people_shown(
    *, user: Actor, young_people: Iterable[YoungPerson | int], purpose: str = ""
) -> dict[int, PersonShown]:
    """Each young person (by id) labelled for this viewer. Names are decrypted only for those
    the viewer may see, and those named are recorded as read."""
    wanted = _ids(young_people)
    if not wanted:
        return {}
    visible = {p.pk: p for p in young_person_list_visible_to(user=user).filter(pk__in=wanted)}
    hidden = YoungPerson.objects.filter(pk__in=wanted - set(visible)).only("id", "reference")
    shown = {
        pk: PersonShown(person, person.reference, True, person.display_name)
        for pk, person in visible.items()
    }
    for person in hidden:
        shown[person.pk] = PersonShown(person, person.reference, False, person.reference)
    audit_reads(actor=user, objs=visible.values(), purpose=purpose)
    return shown


def young_person_shown(*, user: Actor, young_person: YoungPerson | int) -> PersonShown:
    """One young person labelled for this viewer (`people_shown` for one)."""
    pk = young_person if isinstance(young_person, int) else young_person.pk
    return people_shown(user=user, young_people=[pk])[pk]


def persons_of_concern_shown(
    *, user: Actor, persons: Iterable[PersonOfConcern | int], purpose: str = ""
) -> dict[int, PersonOfConcernShown]:
    """Each person of concern (by id) labelled for this viewer: their names (or nicknames) only
    where the viewer may see persons of concern, and those named recorded as read."""
    wanted = _ids(persons)
    if not wanted:
        return {}
    visible = {p.pk: p for p in person_of_concern_list_visible_to(user=user).filter(pk__in=wanted)}
    hidden = PersonOfConcern.objects.filter(pk__in=wanted - set(visible)).only("id", "reference")
    shown = {
        pk: PersonOfConcernShown(person, person.reference, True, person.label)
        for pk, person in visible.items()
    }
    for person in hidden:
        shown[person.pk] = PersonOfConcernShown(person, person.reference, False, person.reference)
    # Only those shown by a name: a person of concern with none is labelled by reference.
    named = [p for p in visible.values() if p.label != p.reference]
    audit_reads(actor=user, objs=named, purpose=purpose)
    return shown


def person_of_concern_shown(*, user: Actor, person: PersonOfConcern | int) -> PersonOfConcernShown:
    """One person of concern labelled for this viewer (`persons_of_concern_shown` for one)."""
    pk = person if isinstance(person, int) else person.pk
    return persons_of_concern_shown(user=user, persons=[pk])[pk]
