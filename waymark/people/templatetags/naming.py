"""Template tags for the naming primitive (`waymark.people.naming`): the only way a template
labels a young person or a person of concern.

    {% load naming %}
    {% young_person_shown link.young_person as yp %}{{ yp.label }}{% if yp.visible %}...{% endif %}
    {% person_of_concern_shown p as poc %}{{ poc.label }}
"""

from typing import Any

from django import template

from waymark.people import naming
from waymark.people.models import PersonOfConcern, YoungPerson
from waymark.people.naming import PersonOfConcernShown, PersonShown

register = template.Library()


def _viewer(context: template.Context) -> Any:
    request = context.get("request")
    if request is None:
        raise template.TemplateSyntaxError("Naming a person needs the request's user.")
    return request.user


@register.simple_tag(takes_context=True)
def young_person_shown(context: template.Context, young_person: YoungPerson) -> PersonShown:
    return naming.young_person_shown(user=_viewer(context), young_person=young_person)


@register.simple_tag(takes_context=True)
def person_of_concern_shown(
    context: template.Context, person: PersonOfConcern
) -> PersonOfConcernShown:
    return naming.person_of_concern_shown(user=_viewer(context), person=person)
