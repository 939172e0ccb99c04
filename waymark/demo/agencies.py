"""The partnership in Eastbridge: one or more agencies per sector, and the people who log in.

Every demo user has the same published password (`waymark.demo.DEMO_PASSWORD`). The featured
users have memorable usernames and are printed after a build; the other workers exist so that
concerns are recorded by a realistic spread of people.
"""

from dataclasses import dataclass

from waymark.accounts.models import Agency, Role, Sector, User

CSC = "Eastbridge Council Children's Social Care"
POLICE = "Midshire Police, Eastbridge Neighbourhood Policing"
ACADEMY = "Eastbridge Academy"
ST_ANNES = "St Anne's Catholic High School"
HEALTH = "Midshire NHS Foundation Trust"
YOUTH = "Eastbridge Youth Service"
COMMUNITY_SAFETY = "Eastbridge Community Safety Partnership"
HOUSING = "Eastbridge Homes"
TRANSPORT = "Midshire Buses"
VOLUNTARY = "Safe Steps Eastbridge"
BUSINESS = "Eastbridge Town Centre Business Improvement District"

AGENCIES: list[tuple[str, str]] = [
    (CSC, Sector.CHILDRENS_SOCIAL_CARE),
    (POLICE, Sector.POLICE),
    (ACADEMY, Sector.EDUCATION),
    (ST_ANNES, Sector.EDUCATION),
    (HEALTH, Sector.HEALTH),
    (YOUTH, Sector.YOUTH_SERVICE),
    (COMMUNITY_SAFETY, Sector.COMMUNITY_SAFETY),
    (HOUSING, Sector.HOUSING),
    (TRANSPORT, Sector.TRANSPORT),
    (VOLUNTARY, Sector.VOLUNTARY),
    (BUSINESS, Sector.BUSINESS),
]
DEMO_AGENCY_NAMES = frozenset(name for name, _ in AGENCIES)

# Schools that are agencies in their own right: their safeguarding leads record concerns.
SCHOOL_AGENCIES = {"Eastbridge Academy": ACADEMY, "St Anne's Catholic High School": ST_ANNES}


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    agency: str
    role: str
    job_title: str
    featured: bool = False  # printed in the list of demo logins

    @property
    def email(self) -> str:
        return f"{self.username}@demo.eastbridge.invalid"


# username | first name | last name | agency | role | job title | featured (printed) or not
_USER_TABLE = """
practitioner | Priya   | Shah     | CSC       | practitioner  | Social worker, adolescent team | *
police       | Tom     | Brennan  | POLICE    | practitioner  | Police constable, exploitation | *
school       | Grace   | Okafor   | ACADEMY   | practitioner  | Designated safeguarding lead   | *
manager      | Martin  | Hughes   | CSC       | manager       | Team manager, adolescent team  | *
analyst      | Lena    | Kowalski | CSP       | analyst       | Community safety analyst       | *
chair        | Helen   | Marsh    | CSC       | panel_chair   | Head of service and MACE chair | *
admin        | Sam     | Patel    | CSC       | administrator | Systems administrator          | *
youthworker  | Dan     | Reid     | YOUTH     | practitioner  | Detached youth worker          | *
nurse        | Aisha   | Rahman   | HEALTH    | practitioner  | School nurse                   | *
stannes      | Patrick | Doyle    | ST_ANNES  | practitioner  | Designated safeguarding lead   | -
housing      | Claire  | Dunn     | HOUSING   | practitioner  | Tenancy support officer        | -
buses        | Gary    | Webb     | TRANSPORT | practitioner  | Network safety manager         | -
safesteps    | Ruth    | Adeyemi  | VOLUNTARY | practitioner  | Project worker                 | -
towncentre   | Omar    | Siddiqui | BUSINESS  | practitioner  | Town centre ranger             | -
j.wilson     | Jade    | Wilson   | CSC       | practitioner  | Social worker                  | -
k.ahmed      | Kamran  | Ahmed    | CSC       | practitioner  | Exploitation lead worker       | -
l.thompson   | Lucy    | Thompson | CSC       | practitioner  | Family support worker          | -
r.campbell   | Ryan    | Campbell | POLICE    | practitioner  | PCSO                           | -
s.nowak      | Sylwia  | Nowak    | POLICE    | practitioner  | Detective constable            | -
m.osei       | Michael | Osei     | POLICE    | manager       | Detective sergeant             | -
e.clarke     | Emma    | Clarke   | YOUTH     | practitioner  | Youth worker                   | -
h.begum      | Halima  | Begum    | HEALTH    | practitioner  | Emergency department nurse     | -
d.evans      | David   | Evans    | ACADEMY   | practitioner  | Head of year                   | -
c.murphy     | Ciara   | Murphy   | ST_ANNES  | practitioner  | Pastoral lead                  | -
"""
_AGENCY_KEYS = {
    "CSC": CSC,
    "POLICE": POLICE,
    "ACADEMY": ACADEMY,
    "ST_ANNES": ST_ANNES,
    "HEALTH": HEALTH,
    "YOUTH": YOUTH,
    "CSP": COMMUNITY_SAFETY,
    "HOUSING": HOUSING,
    "TRANSPORT": TRANSPORT,
    "VOLUNTARY": VOLUNTARY,
    "BUSINESS": BUSINESS,
}


def _users() -> list[DemoUser]:
    users = []
    for line in _USER_TABLE.strip().splitlines():
        username, first, last, agency, role, job, featured = (c.strip() for c in line.split("|"))
        users.append(
            DemoUser(username, first, last, _AGENCY_KEYS[agency], role, job, featured == "*")
        )
    return users


USERS: list[DemoUser] = _users()


def agency_of(user: User) -> Agency:
    """The agency of a demo user (every demo user has one)."""
    if user.agency is None:
        raise ValueError(f"{user.username} belongs to no agency")
    return user.agency


RECORDING_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.PANEL_CHAIR})

# Which agencies tend to record a concern: a base weight, raised by the kind of place.
AGENCY_BASE_WEIGHT = {
    POLICE: 3.0,
    CSC: 2.5,
    YOUTH: 1.0,
    HEALTH: 0.7,
    VOLUNTARY: 0.5,
    COMMUNITY_SAFETY: 0.0,
    HOUSING: 0.2,
    TRANSPORT: 0.2,
    BUSINESS: 0.2,
    ACADEMY: 0.3,
    ST_ANNES: 0.3,
}
AGENCY_PLACE_BOOST = {
    "transport": {TRANSPORT: 3.0, POLICE: 1.0},
    "hotel": {BUSINESS: 2.0, POLICE: 1.0},
    "takeaway": {BUSINESS: 1.2},
    "licensed": {BUSINESS: 1.5},
    "shop": {BUSINESS: 1.0},
    "estate": {HOUSING: 2.0},
    "residential": {HOUSING: 1.5},
    "park": {YOUTH: 1.5},
    "leisure": {YOUTH: 1.5},
    "other": {HEALTH: 1.0},
}
