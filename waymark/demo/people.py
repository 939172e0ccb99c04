"""The town's children and the persons of concern, built in memory as unsaved model instances.

NHS numbers start 999: that range is never issued to patients, so a demo number cannot be a real
person's, yet every one passes the Modulus 11 check. UPNs use local authority number 990, which no
English authority has.
"""

import datetime
import math
import random
from dataclasses import dataclass

from faker import Faker

from waymark.accounts.models import User
from waymark.contexts.models import Place, Ward
from waymark.core.validators import NHS_WEIGHTS, upn_check_letter
from waymark.people.models import AgeBand, Gender, PersonFlag, PersonOfConcern, Vehicle, YoungPerson

from . import names, texts
from .plan import Counts, PatternPlan, references, secondary_schools, stream
from .town import COLLEGE, PRIMARY_SCHOOLS, PUPIL_REFERRAL_UNIT, Town

AGE_WEIGHTS = {10: 5, 11: 8, 12: 11, 13: 14, 14: 17, 15: 18, 16: 15, 17: 12}
DEMO_LA_NUMBER = 990
GIRLS_ONLY = "Riverside Girls' School"
SIBLING_RATE = 0.05


@dataclass
class Child:
    """A young person and what the concern generator needs to know about them."""

    person: YoungPerson
    age: int
    ward: int
    school: int | None  # place index
    activity: float  # how often they appear in concerns, relative to others
    sibling_of: int | None = None

    @property
    def name(self) -> str:
        return self.person.known_as or self.person.given_name


@dataclass
class Adult:
    """A person of concern, with their vehicles and flags still to be written."""

    person: PersonOfConcern
    theme: str
    activity: float
    vehicles: list[Vehicle]
    flags: list[PersonFlag]

    @property
    def phrase(self) -> str:
        """How a narrative refers to them: by nickname if they have one."""
        if self.person.nicknames:
            return f'an adult known as "{self.person.nicknames.split(",")[0]}"'
        return "an adult already known to services"


def nhs_number(rng: random.Random, used: set[str]) -> str:
    while True:
        digits = "999" + "".join(str(rng.randint(0, 9)) for _ in range(6))
        total = sum(int(d) * w for d, w in zip(digits, NHS_WEIGHTS, strict=True))
        check = 11 - total % 11
        if check == 10:
            continue
        number = digits + str(0 if check == 11 else check)
        if number not in used:
            used.add(number)
            return number


def upn(school_number: int, year: int, serial: int) -> str:
    body = f"{DEMO_LA_NUMBER:03d}{school_number:04d}{year % 100:02d}{serial:03d}"
    return upn_check_letter(body) + body


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def date_of_birth(rng: random.Random, age: int, today: datetime.date) -> datetime.date:
    """A birthday that makes the child exactly `age` today, from a single draw.

    One draw per child, whatever the date, keeps every later draw in step: a town built on
    another day differs only in its dates.
    """
    earliest = years_before(today, age + 1) + datetime.timedelta(days=1)
    latest = years_before(today, age)
    return earliest + datetime.timedelta(days=rng.randrange((latest - earliest).days + 1))


def _school_weights(town: Town) -> dict[int, list[tuple[int, float]]]:
    """For each ward, how likely a child living there attends each school (nearer is likelier)."""
    centres = []
    for ward in town.wards:
        xs, ys = zip(*ward.ring[:-1], strict=True)
        centres.append((sum(xs) / len(xs), sum(ys) / len(ys)))
    out: dict[int, list[tuple[int, float]]] = {}
    for w, (x, y) in enumerate(centres):
        out[w] = [
            (
                i,
                math.exp(
                    -math.hypot(town.places[i].longitude - x, town.places[i].latitude - y) / 0.02
                ),
            )
            for i in town.places_of_kind("school")
        ]
    return out


def _choose_school(
    rng: random.Random,
    town: Town,
    weights: dict[int, list[tuple[int, float]]],
    secondary: set[int],
    *,
    ward: int,
    age: int,
    gender: str,
) -> int | None:
    if age <= 10:
        pool = [(i, w) for i, w in weights[ward] if town.places[i].name in PRIMARY_SCHOOLS]
    elif age >= 16:
        roll = rng.random()
        if roll < 0.15:
            return None  # not in education, employment or training
        if roll < 0.6:
            return town.place_index(COLLEGE)
        pool = [(i, w) for i, w in weights[ward] if i in secondary]
    else:
        roll = rng.random()
        if roll < 0.03:
            return None  # missing education
        if roll < 0.07:
            return town.place_index(PUPIL_REFERRAL_UNIT)
        pool = [(i, w) for i, w in weights[ward] if i in secondary]
    pool = [
        (i, w)
        for i, w in pool
        if town.places[i].name not in {COLLEGE, PUPIL_REFERRAL_UNIT}
        and (town.places[i].name != GIRLS_ONLY or gender == Gender.GIRL)
    ]
    return rng.choices([i for i, _ in pool], weights=[w for _, w in pool])[0]


def build_children(
    *,
    seed: int,
    counts: Counts,
    town: Town,
    patterns: PatternPlan,
    wards: list[Ward],
    places: list[Place],
    today: datetime.date,
) -> list[Child]:
    rng = stream(seed, "young-people")
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    refs = references("YP", counts.young_people, stream(seed, "young-person-references"))
    school_weights = _school_weights(town)
    secondary = set(secondary_schools(town))
    ward_weights = [0.6 if w.name == "Eastbridge Central" else 1.0 for w in town.wards]
    ethnic_weights = [w for _, w, _ in names.ETHNIC_MIX]
    genders, gender_weights = zip(*names.GENDER_MIX, strict=True)
    group_of = {m: g for g in patterns.groups for m in g.members}
    bus = {c: n for n, c in enumerate(patterns.bus_station_children)}
    used_nhs: set[str] = set()
    upn_serial: dict[tuple[int, int], int] = {}
    children: list[Child] = []

    for index in range(counts.young_people):
        group = group_of.get(index)
        previous = children[-1] if children else None
        sibling = (
            previous is not None
            and index not in patterns.reserved
            and index - 1 not in patterns.reserved
            and previous.sibling_of is None
            and rng.random() < SIBLING_RATE
        )
        if sibling and previous is not None:
            ethnicity, pool = previous.person.ethnicity, _pool_of(previous.person.ethnicity)
        else:
            ethnicity, _, pool = rng.choices(names.ETHNIC_MIX, weights=ethnic_weights)[0]
        gender = rng.choices(genders, weights=gender_weights)[0]
        given, family = names.child_name(fake, rng, pool, gender)

        if group is not None:
            age = rng.randint(13, 17)
        elif index in bus:
            age = rng.randint(11, 16)
        else:
            age = rng.choices(list(AGE_WEIGHTS), weights=list(AGE_WEIGHTS.values()))[0]

        if sibling and previous is not None:
            family, ward = previous.person.family_name, previous.ward
        elif group is not None and rng.random() < 0.8:
            ward = group.ward
        elif index in bus:
            ward = bus[index] % len(town.wards)  # spread over the town: they do not know each other
        else:
            ward = rng.choices(range(len(town.wards)), weights=ward_weights)[0]

        school = _choose_school(
            rng, town, school_weights, secondary, ward=ward, age=age, gender=gender
        )
        if group is not None and rng.random() < 0.75:
            school = group.school

        known_as = ""
        if given in names.KNOWN_AS and rng.random() < 0.5:
            known_as = names.KNOWN_AS[given]
        elif gender in (Gender.NON_BINARY, Gender.OTHER) and rng.random() < 0.5:
            known_as = rng.choice([n for n in names.UNISEX_NAMES if n != given])

        dob = date_of_birth(rng, age, today)
        pupil_number = ""
        if school is not None and rng.random() < 0.85:
            key = (school, dob.year + 5)
            upn_serial[key] = upn_serial.get(key, 0) + 1
            pupil_number = upn(2000 + school, dob.year + 5, upn_serial[key])

        person = YoungPerson(
            reference=refs[index],
            given_name=given,
            family_name=family,
            known_as=known_as,
            date_of_birth=dob,
            date_of_birth_estimated=rng.random() < 0.03,
            gender=gender,
            ethnicity=ethnicity,
            nhs_number=nhs_number(rng, used_nhs) if rng.random() < 0.9 else "",
            upn=pupil_number,
            school=places[school] if school is not None else None,
            home_ward=wards[ward],
            strengths=texts.strengths_for(rng, gender) if rng.random() < 0.7 else "",
            own_words=rng.choice(texts.OWN_WORDS) if rng.random() < 0.45 else "",
        )
        children.append(
            Child(
                person=person,
                age=age,
                ward=ward,
                school=school,
                activity=rng.lognormvariate(0, 0.9) * (age - 8) / 6,
                sibling_of=index - 1 if sibling else None,
            )
        )
    return children


def _pool_of(ethnicity: str) -> str:
    return next(pool for e, _, pool in names.ETHNIC_MIX if e == ethnicity)


FLAG_KINDS = {
    "cce": [PersonFlag.Kind.EXPLOITATION, PersonFlag.Kind.DRUG_SUPPLY],
    "cse": [PersonFlag.Kind.SEXUAL_HARM, PersonFlag.Kind.EXPLOITATION],
    "gangs": [PersonFlag.Kind.VIOLENCE, PersonFlag.Kind.WEAPONS],
    "radicalisation": [PersonFlag.Kind.RADICALISATION],
    "other": [PersonFlag.Kind.OTHER, PersonFlag.Kind.VIOLENCE],
}
FLAG_DETAIL = {
    PersonFlag.Kind.EXPLOITATION: "Believed to recruit children to carry and sell drugs",
    PersonFlag.Kind.DRUG_SUPPLY: "Thought to run a phone line supplying drugs into Eastbridge",
    PersonFlag.Kind.SEXUAL_HARM: "Seen giving lifts, alcohol and gifts to girls aged 13 to 15",
    PersonFlag.Kind.VIOLENCE: "Linked to a serious assault on a teenager last year",
    PersonFlag.Kind.WEAPONS: "Believed to store knives for younger people",
    PersonFlag.Kind.RADICALISATION: "Shares extremist material with teenagers online",
    PersonFlag.Kind.OTHER: "Subject of an antisocial behaviour warning from the council",
}
FLAG_SOURCES = names.words(
    "Police intelligence report|MACE panel|School DSL|Youth worker observation|"
    "Community partnership information form|Hotel staff report|Neighbourhood policing team|"
    "Housing officer"
)
LINKING_AGE_BAND = AgeBand.AGE_35_44  # "the same older man", in several groups' concerns
THEMES = [("cce", 40.0), ("cse", 25.0), ("gangs", 20.0), ("radicalisation", 3.0), ("other", 12.0)]


def build_adults(
    *,
    seed: int,
    counts: Counts,
    patterns: PatternPlan,
    recorders: list[User],
    today: datetime.date,
) -> list[Adult]:
    """Persons of concern. Those linked to a planted peer group carry current flags; the one who
    links several groups is an older man."""
    rng = stream(seed, "persons-of-concern")
    fake = Faker("en_GB")
    fake.seed_instance(seed + 1)
    refs = references("POC", counts.persons_of_concern, stream(seed, "poc-references"))
    linking = patterns.linking.person_of_concern
    group_theme = {g.person_of_concern: g.theme for g in patterns.groups} | {linking: "cce"}
    band_weights = [w for _, w in names.AGE_BAND_MIX]
    adults = []
    for index in range(counts.persons_of_concern):
        theme = group_theme.get(index) or rng.choices(*zip(*THEMES, strict=True))[0]
        age_band = rng.choices([b for b, _ in names.AGE_BAND_MIX], weights=band_weights)[0]
        if theme == "cse" and age_band == AgeBand.UNDER_18:
            age_band = AgeBand.AGE_25_34
        if index == linking:
            age_band = LINKING_AGE_BAND
        description = names.person_description(
            rng, age_band, sex="Male" if index == linking else None
        )
        nicknames = ""
        if rng.random() < 0.8 or index in group_theme:
            nicknames = ", ".join(rng.sample(names.NICKNAMES, rng.choice([1, 1, 1, 2])))
        full_name = ""
        if rng.random() < 0.5:
            male = description.startswith("Male")
            full_name = fake.name_male() if male else fake.name_female()
        recorder = rng.choice(recorders)
        person = PersonOfConcern(
            reference=refs[index],
            names=full_name,
            nicknames=nicknames,
            description=description,
            age_band=age_band,
            created_by=recorder,
            created_by_agency_id=recorder.agency_id,
        )
        vehicles = [
            Vehicle(
                person=person,
                make=rng.choice(names.VEHICLES),
                colour=rng.choice(names.COLOURS),
                registration=names.registration(rng),
            )
            for _ in range(rng.choices([0, 1, 2], weights=[65, 30, 5])[0])
        ]
        flags = []
        planted = index in group_theme
        if planted:  # current flags of each kind the group's harm calls for
            kinds = list(FLAG_KINDS[theme])
        else:
            count = rng.choices([0, 1, 2, 3], weights=[30, 45, 20, 5])[0]
            kinds = [rng.choice(FLAG_KINDS[theme]) for _ in range(count)]
        for n, kind in enumerate(kinds):
            current = planted or rng.random() < 0.6
            review_by = today + datetime.timedelta(days=rng.randint(20, 300))
            if not current:
                review_by = today - datetime.timedelta(days=rng.randint(1, 400))
            flags.append(
                PersonFlag(
                    person=person,
                    kind=kind,
                    detail=FLAG_DETAIL[kind],
                    source=rng.choice(FLAG_SOURCES[:2] if planted and n == 0 else FLAG_SOURCES),
                    reliability=rng.choice(
                        ["confirmed", "tentative"]
                        if planted
                        else ["confirmed", "tentative", "unconfirmed"]
                    ),
                    review_by=review_by,
                    recorded_by=recorder,
                )
            )
        adults.append(
            Adult(
                person=person,
                theme=theme,
                activity=rng.lognormvariate(0, 0.8),
                vehicles=vehicles,
                flags=flags,
            )
        )
    return adults
