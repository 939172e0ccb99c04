"""Reads of places. Places and other contexts are visible across the partnership."""

from django.db.models import Q, QuerySet

from waymark.accounts.types import Actor
from waymark.contexts.models import Place, Ward


def place_list_visible_to(*, user: Actor) -> QuerySet[Place]:
    if not user.has_perm("contexts.view_place"):
        return Place.objects.none()
    return Place.objects.select_related("ward")


def place_search(*, user: Actor, query: str) -> QuerySet[Place]:
    """By name or postcode. Addresses are encrypted (ADR 0006), so they are not searched."""
    q = query.strip()
    return place_list_visible_to(user=user).filter(Q(name__icontains=q) | Q(postcode__icontains=q))


def ward_list_visible_to(*, user: Actor) -> QuerySet[Ward]:
    if not user.has_perm("contexts.view_ward"):
        return Ward.objects.none()
    return Ward.objects.all()
