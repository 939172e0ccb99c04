import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from waymark.accounts.tests.factories import AgencyFactory
from waymark.core.references import reference_new
from waymark.people.models import Gender, Involvement, PersonFlag, PersonOfConcern, YoungPerson


class YoungPersonFactory(DjangoModelFactory):
    class Meta:
        model = YoungPerson
        skip_postgeneration_save = True

    reference = factory.LazyFunction(lambda: reference_new("YP"))
    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Faker(
        "date_between",
        start_date=timezone.localdate() - datetime.timedelta(days=17 * 365),
        end_date=timezone.localdate() - datetime.timedelta(days=11 * 365),
    )
    gender = Gender.NOT_KNOWN
    created_by_agency = factory.SubFactory(AgencyFactory)

    @factory.post_generation
    def involvement(obj, create, extracted, **kwargs):  # noqa: N805
        """The agency that added a young person is involved with them, as in the service."""
        if create and obj.created_by_agency_id:
            Involvement.objects.create(
                agency_id=obj.created_by_agency_id,
                young_person=obj,
                source="added",
                purpose="Added the young person to Waymark",
                lawful_basis="sch1_para18",
            )


class PersonOfConcernFactory(DjangoModelFactory):
    class Meta:
        model = PersonOfConcern

    reference = factory.LazyFunction(lambda: reference_new("POC"))
    nicknames = factory.Faker("first_name", locale="en_GB")
    description = "Tall, dark jacket"


class PersonFlagFactory(DjangoModelFactory):
    class Meta:
        model = PersonFlag

    person = factory.SubFactory(PersonOfConcernFactory)
    kind = PersonFlag.Kind.EXPLOITATION
    source = "Police intelligence"
    reliability = "tentative"
    review_by = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))
