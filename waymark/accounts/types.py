"""The type of whoever calls a service or selector.

Views and API views pass `request.user`, which is a signed-in `User` behind the login guards but
typed as `User | AnonymousUser`. Services and selectors take either and treat anyone who is not
signed in as having no agency and no rights, so the type says what the code must handle.
"""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser

from .models import User

Actor: TypeAlias = User | AnonymousUser
