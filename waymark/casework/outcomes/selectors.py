"""Reads of the outcomes of context cases: did the context become safer?"""

from typing import Any

from waymark.casework.models import ContextCase


def outcome_snapshot(*, case: ContextCase) -> dict[str, Any]:
    """The outcome reading of a case as it stands today, kept on the case when it closes."""
    return {}
