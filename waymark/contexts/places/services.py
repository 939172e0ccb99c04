from django.db import transaction

from waymark.accounts.types import Actor
from waymark.audit.services import audit_record
from waymark.contexts.models import Place, Ward
from waymark.core.actors import signed_in_or_none
from waymark.core.validators import postcode_normalise


@transaction.atomic
def place_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    latitude: float,
    longitude: float,
    address: str = "",
    postcode: str = "",
    uprn: str = "",
    ward: Ward | None = None,
) -> Place:
    place = Place(
        name=name.strip(),
        kind=kind,
        latitude=latitude,
        longitude=longitude,
        address=address.strip(),
        postcode=postcode_normalise(postcode) if postcode else "",
        uprn=uprn.strip(),
        ward=ward,
        created_by=signed_in_or_none(actor),
    )
    place.full_clean()
    place.save()
    audit_record(
        actor=actor,
        action="create",
        obj=place,
        changed_fields=[
            f for f in ("name", "kind", "address", "postcode", "uprn") if getattr(place, f)
        ]
        + ["latitude", "longitude"],
    )
    return place
