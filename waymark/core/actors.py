"""Who did something, as a foreign key can hold it."""

from typing import TypeVar, overload

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

UserT = TypeVar("UserT", bound=AbstractBaseUser)


@overload
def signed_in_or_none(actor: UserT) -> UserT | None: ...
@overload
def signed_in_or_none(actor: AnonymousUser | None) -> None: ...
def signed_in_or_none(actor: AbstractBaseUser | AnonymousUser | None) -> AbstractBaseUser | None:
    """The actor when they are a signed-in user; None for anonymous callers and the system.

    Records say `created_by=None` for work done by the command line or the demo builder, which
    act without a user, and never point at Django's AnonymousUser.
    """
    return actor if isinstance(actor, AbstractBaseUser) and actor.is_authenticated else None
