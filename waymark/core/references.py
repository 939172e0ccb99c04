"""Stable pseudonymous references such as YP-7F3KQ.

Lists, exports and analytics use these instead of names. Crockford's base-32 alphabet leaves out
I, L, O and U so a reference read aloud or copied by hand is not mistaken for another.
"""

import random
import secrets
from typing import Any

from django.db import IntegrityError, transaction

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 5


def reference_new(prefix: str, *, rng: random.Random | None = None) -> str:
    if rng is None:
        body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    else:
        body = "".join(rng.choice(ALPHABET) for _ in range(LENGTH))
    return f"{prefix}-{body}"


def reference_normalise(value: str) -> str:
    """Accept what people type: lower case, spaces, and the letters Crockford maps to digits."""
    cleaned = value.strip().upper().replace(" ", "")
    if "-" in cleaned:
        prefix, _, body = cleaned.partition("-")
        body = body.replace("O", "0").replace("I", "1").replace("L", "1")
        return f"{prefix}-{body}"
    return cleaned


def reference_assign_and_save(obj: Any, prefix: str, rng: random.Random | None = None) -> None:
    """Give a new record a unique pseudonymous reference, retrying on the rare collision."""
    for _ in range(10):
        obj.reference = reference_new(prefix, rng=rng)
        try:
            with transaction.atomic():
                obj.save()
            return
        except IntegrityError:
            if not type(obj).objects.filter(reference=obj.reference).exists():
                raise
    raise RuntimeError(f"Could not find a free {prefix} reference")
