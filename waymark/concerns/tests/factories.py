import datetime

from django.utils import timezone

from waymark.concerns.models import Concern
from waymark.concerns.services import ConcernInput, concern_record


def concern_make(
    *, actor, young_people=(), place=None, persons_of_concern=(), **overrides
) -> Concern:
    """Record a concern through the real service, with sensible defaults for what is not given."""
    data = ConcernInput(
        occurred_on=overrides.pop("occurred_on", timezone.localdate() - datetime.timedelta(days=3)),
        narrative=overrides.pop("narrative", "Seen with older males near the bus station."),
        source_evaluation=overrides.pop("source_evaluation", "2"),
        information_assessment=overrides.pop("information_assessment", "B"),
        handling_code=overrides.pop("handling_code", "P"),
        place=place,
        no_fixed_place=place is None,
        young_people=[(p, "at_risk") if not isinstance(p, tuple) else p for p in young_people],
        persons_of_concern=list(persons_of_concern),
        risks=overrides.pop("risks", {"cce": ["cash"]}),
        **overrides,
    )
    return concern_record(actor=actor, data=data)
