"""Reads of the context plans of context cases."""

from typing import Any

from waymark.accounts.types import Actor
from waymark.casework.models import ContextCase


def plan_section_for(*, user: Actor, case: ContextCase) -> Any:
    """What the case page shows of the case's context plan; None for nothing."""
    return None
