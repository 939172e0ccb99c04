import datetime

from django.utils import timezone

from waymark.people.tests.factories import YoungPersonFactory


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - datetime.timedelta(days=days)


def adult_young_person(**kwargs):
    """A young person whose date of birth plus 25 years has passed: due for erasure."""
    return YoungPersonFactory(date_of_birth=years_ago(26), **kwargs)
