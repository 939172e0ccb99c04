"""The geography of Eastbridge, a fictional Midlands town: wards, streets and places.

The geography is the same for every seed, so a place named in the docs or a test exists in every
demo build. Wards tile the town exactly: they are a jittered 4 x 3 grid whose shared corners and
edge midpoints are computed once, so neighbouring boundaries meet without gaps or overlaps.

Postcodes use the outward codes EB1 to EB12. "EB" is not a real postcode area, but the codes pass
the UK postcode pattern, so they exercise the same validation as real ones.
"""

import functools
import random
from dataclasses import dataclass

from waymark.contexts.models import PlaceKind

TOWN = "Eastbridge"
CENTRE = (52.62, -1.16)  # latitude, longitude: invented, near nothing in particular
HALF_HEIGHT = 0.025  # degrees of latitude, about 2.8 km
HALF_WIDTH = 0.045  # degrees of longitude, about 3.0 km at this latitude
COLUMNS, ROWS = 4, 3
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters a postcode's inward code may use

# (name, streets), west to east, south to north. The first ward listed per row is column 0.
WARD_GRID: list[list[tuple[str, list[str]]]] = [
    [
        ("Hollowmere", ["Hollowmere Road", "Lake View", "Heron Close"]),
        ("Millbrook", ["Mill Lane", "Orchard Close", "Bakers Row"]),
        ("Riverside", ["River Street", "Ferry Lane", "Waterside Road"]),
        ("Brookside", ["Brook Lane", "Meadow Way", "Willow Crescent"]),
    ],
    [
        ("Fosse Hill", ["Fosse Road", "Victoria Road", "Bridge Street"]),
        ("Eastbridge Central", ["Station Road", "High Street", "Market Street", "Queen Street"]),
        ("Canal Wharf", ["Wharf Street", "Canal Street", "Lock Lane"]),
        ("Kingsmead", ["Kingsmead Avenue", "King Street", "Cedar Avenue"]),
    ],
    [
        ("Stoneleigh", ["Stoneleigh Road", "Quarry Lane", "London Road"]),
        ("Northgate", ["Northgate Street", "Chapel Lane", "Albert Street"]),
        ("Abbey Fields", ["Abbey Road", "Priory Walk", "Church Street"]),
        ("Greenhill", ["Greenhill Road", "Holly Drive", "Ash Grove"]),
    ],
]

# kind, name, street (the street places it in a ward and gives its address).
PLACES: list[tuple[str, str, str]] = [
    # Transport hubs and routes
    ("transport", "Eastbridge Bus Station", "Station Road"),
    ("transport", "Eastbridge Railway Station", "Station Road"),
    ("transport", "Northgate Interchange", "Northgate Street"),
    ("transport", "Market Street taxi rank", "Market Street"),
    ("transport", "Route 14 bus stop, London Road", "London Road"),
    ("transport", "Route 22 bus stop, Fosse Road", "Fosse Road"),
    ("transport", "Brookside Park and Ride", "Meadow Way"),
    ("transport", "Abbey Road bus shelter", "Abbey Road"),
    ("transport", "Kingsmead bus terminus", "Kingsmead Avenue"),
    ("transport", "Riverside footbridge", "Ferry Lane"),
    # Schools and colleges
    ("school", "Eastbridge Academy", "Queen Street"),
    ("school", "St Anne's Catholic High School", "Abbey Road"),
    ("school", "Fosse Hill Academy", "Victoria Road"),
    ("school", "Millbrook School", "Bakers Row"),
    ("school", "Kingsmead Community College", "Cedar Avenue"),
    ("school", "Northgate High School", "Albert Street"),
    ("school", "Riverside Girls' School", "Waterside Road"),
    ("school", "Eastbridge College", "Wharf Street"),
    ("school", "Eastbridge Learning Centre", "Quarry Lane"),
    ("school", "St Mary's C of E Primary School", "Chapel Lane"),
    ("school", "Brookside Primary School", "Willow Crescent"),
    ("school", "Greenhill Primary School", "Holly Drive"),
    # Parks and open spaces
    ("park", "Mill Lane Park", "Mill Lane"),
    ("park", "Abbey Fields Park", "Priory Walk"),
    ("park", "Victoria Park", "Victoria Road"),
    ("park", "Riverside Walk", "River Street"),
    ("park", "Brookside Recreation Ground", "Brook Lane"),
    ("park", "Fosse Hill Woods", "Fosse Road"),
    ("park", "Canal towpath, Wharf Street to Lock 5", "Lock Lane"),
    ("park", "Kingsmead Playing Fields", "Kingsmead Avenue"),
    ("park", "Greenhill Skate Park", "Greenhill Road"),
    ("park", "Hollowmere Lake", "Lake View"),
    ("park", "Stoneleigh Common", "Stoneleigh Road"),
    ("park", "Northgate Gardens", "Northgate Street"),
    ("park", "Memorial Gardens", "Church Street"),
    ("park", "Orchard Close play area", "Orchard Close"),
    ("park", "Heron Close nature reserve", "Heron Close"),
    ("park", "Quarry Lane rec", "Quarry Lane"),
    ("park", "Cedar Avenue MUGA", "Cedar Avenue"),
    ("park", "Willow Crescent green", "Willow Crescent"),
    ("park", "Ferry Lane meadows", "Ferry Lane"),
    ("park", "Ash Grove allotment path", "Ash Grove"),
    # Takeaways and cafés
    ("takeaway", "Chicken Palace, Station Road", "Station Road"),
    ("takeaway", "Perfect Chicken, Fosse Road", "Fosse Road"),
    ("takeaway", "Golden Dragon, High Street", "High Street"),
    ("takeaway", "Mario's Pizza, King Street", "King Street"),
    ("takeaway", "Eastbridge Kebab House, Market Street", "Market Street"),
    ("takeaway", "Tasty Bites, Northgate Street", "Northgate Street"),
    ("takeaway", "Mr Chips, Mill Lane", "Mill Lane"),
    ("takeaway", "Spice Hut, Canal Street", "Canal Street"),
    ("takeaway", "Jerk Shack, Albert Street", "Albert Street"),
    ("takeaway", "Dessert Lounge, High Street", "High Street"),
    ("takeaway", "Big Bite Burgers, London Road", "London Road"),
    ("takeaway", "Star Pizza, Brook Lane", "Brook Lane"),
    ("takeaway", "The Fryer, Hollowmere Road", "Hollowmere Road"),
    ("takeaway", "Noodle Bar, Queen Street", "Queen Street"),
    ("takeaway", "Café Roma, Church Street", "Church Street"),
    ("takeaway", "Sunrise Café, River Street", "River Street"),
    ("takeaway", "Lucky Star, Greenhill Road", "Greenhill Road"),
    ("takeaway", "Southern Fried, Kingsmead Avenue", "Kingsmead Avenue"),
    ("takeaway", "Shake Stop, Market Street", "Market Street"),
    ("takeaway", "Pepper Grill, Stoneleigh Road", "Stoneleigh Road"),
    ("takeaway", "The Coffee Pot, Abbey Road", "Abbey Road"),
    ("takeaway", "Oven Fresh Bakery, Bridge Street", "Bridge Street"),
    ("takeaway", "Grill House, Victoria Road", "Victoria Road"),
    ("takeaway", "Sub Station, Wharf Street", "Wharf Street"),
    ("takeaway", "Wok Express, Meadow Way", "Meadow Way"),
    # Shops
    ("shop", "Eastbridge Shopping Centre", "High Street"),
    ("shop", "Market Hall", "Market Street"),
    ("shop", "Eastbridge Food and Wine, Station Road", "Station Road"),
    ("shop", "Vape World, High Street", "High Street"),
    ("shop", "Phone Fix, Market Street", "Market Street"),
    ("shop", "Kingsmead Convenience Store", "King Street"),
    ("shop", "Pound Plus, Queen Street", "Queen Street"),
    ("shop", "Corner Shop, Orchard Close", "Orchard Close"),
    ("shop", "Mini Mart, Fosse Road", "Fosse Road"),
    ("shop", "Late Shop, Northgate Street", "Northgate Street"),
    ("shop", "24/7 Stores, London Road", "London Road"),
    ("shop", "Discount Sports, High Street", "High Street"),
    ("shop", "News and Booze, Canal Street", "Canal Street"),
    ("shop", "Greenhill Parade shops", "Greenhill Road"),
    ("shop", "Hollowmere Post Office and Stores", "Hollowmere Road"),
    ("shop", "Brookside Supermarket", "Brook Lane"),
    ("shop", "Riverside Retail Park", "Waterside Road"),
    ("shop", "Millbrook Newsagent", "Bakers Row"),
    ("shop", "Stoneleigh Co-operative Stores", "Stoneleigh Road"),
    ("shop", "Abbey Pharmacy", "Abbey Road"),
    ("shop", "Cash Converters, Bridge Street", "Bridge Street"),
    ("shop", "Barber's, Albert Street", "Albert Street"),
    ("shop", "Nail bar, Chapel Lane", "Chapel Lane"),
    ("shop", "Hand car wash, Lock Lane", "Lock Lane"),
    ("shop", "Cedar Avenue Food Store", "Cedar Avenue"),
    # Hotels and B&Bs
    ("hotel", "Riverside Hotel", "Waterside Road"),
    ("hotel", "Station Lodge", "Station Road"),
    ("hotel", "The Grange Guest House", "Victoria Road"),
    ("hotel", "Eastbridge Central Inn", "Queen Street"),
    ("hotel", "Park View Apartments (short lets)", "Priory Walk"),
    ("hotel", "Northgate Hotel", "Northgate Street"),
    ("hotel", "Canal Wharf Serviced Apartments", "Canal Street"),
    ("hotel", "Millbrook B&B", "Mill Lane"),
    ("hotel", "Castle Court Hotel", "London Road"),
    ("hotel", "Abbey House B&B", "Abbey Road"),
    # Licensed premises
    ("licensed", "The Red Lion", "High Street"),
    ("licensed", "The Millwright's Arms", "Mill Lane"),
    ("licensed", "The Crown", "Market Street"),
    ("licensed", "Club Vortex", "Queen Street"),
    ("licensed", "The Wharf Bar", "Wharf Street"),
    ("licensed", "The Railway Tavern", "Station Road"),
    ("licensed", "The Fox and Hounds", "Stoneleigh Road"),
    ("licensed", "Bar Zero", "High Street"),
    ("licensed", "The Plough", "Greenhill Road"),
    ("licensed", "Kingsmead Social Club", "Kingsmead Avenue"),
    ("licensed", "Station Road Off-Licence", "Station Road"),
    ("licensed", "The Bottle Shop, Fosse Road", "Fosse Road"),
    ("licensed", "The White Hart", "Church Street"),
    ("licensed", "The Anchor", "Ferry Lane"),
    ("licensed", "Brookside Snooker Club", "Brook Lane"),
    # Streets
    ("street", "Station Road underpass", "Station Road"),
    ("street", "Alley behind Market Street", "Market Street"),
    ("street", "Garages off Orchard Close", "Orchard Close"),
    ("street", "Bridge Street footbridge", "Bridge Street"),
    ("street", "Car park behind the Red Lion", "High Street"),
    ("street", "Canal Street arches", "Canal Street"),
    ("street", "Queen Street multi-storey stairwell", "Queen Street"),
    ("street", "Northgate Street shops parade", "Northgate Street"),
    ("street", "Lock Lane cut-through", "Lock Lane"),
    ("street", "Junction of Fosse Road and Victoria Road", "Fosse Road"),
    ("street", "Albert Street", "Albert Street"),
    ("street", "Chapel Lane alleyway", "Chapel Lane"),
    ("street", "Priory Walk", "Priory Walk"),
    ("street", "Kingsmead Avenue shops", "Kingsmead Avenue"),
    ("street", "King Street", "King Street"),
    ("street", "Cedar Avenue garages", "Cedar Avenue"),
    ("street", "Brook Lane bridge", "Brook Lane"),
    ("street", "Meadow Way subway", "Meadow Way"),
    ("street", "River Street", "River Street"),
    ("street", "Waterside Road lay-by", "Waterside Road"),
    ("street", "Bakers Row", "Bakers Row"),
    ("street", "Hollowmere Road bus lay-by", "Hollowmere Road"),
    ("street", "Heron Close", "Heron Close"),
    ("street", "Quarry Lane", "Quarry Lane"),
    ("street", "London Road service road", "London Road"),
    ("street", "Holly Drive", "Holly Drive"),
    ("street", "Ash Grove", "Ash Grove"),
    ("street", "Greenhill Road", "Greenhill Road"),
    ("street", "Church Street steps", "Church Street"),
    ("street", "Lake View car park", "Lake View"),
    # Estates
    ("estate", "Fosse Hill estate", "Fosse Road"),
    ("estate", "Brookside flats", "Willow Crescent"),
    ("estate", "Kingsmead estate", "Cedar Avenue"),
    ("estate", "Canal Wharf flats", "Canal Street"),
    ("estate", "Greenhill estate", "Holly Drive"),
    ("estate", "Hollowmere Court", "Heron Close"),
    ("estate", "Victoria Tower", "Victoria Road"),
    ("estate", "Northgate estate", "Chapel Lane"),
    ("estate", "Millbrook estate", "Orchard Close"),
    ("estate", "Stoneleigh Gardens", "Quarry Lane"),
    # Leisure
    ("leisure", "Eastbridge Leisure Centre", "Queen Street"),
    ("leisure", "Eastbridge Library", "Church Street"),
    ("leisure", "Northgate Youth Centre", "Northgate Street"),
    ("leisure", "Kingsmead Community Centre", "Kingsmead Avenue"),
    ("leisure", "Eastbridge Cinema", "High Street"),
    ("leisure", "Megabowl Eastbridge", "Waterside Road"),
    ("leisure", "Jump Zone trampoline park", "Lock Lane"),
    ("leisure", "Eastbridge Boxing Club", "Bridge Street"),
    ("leisure", "Abbey Fields Football Club", "Priory Walk"),
    ("leisure", "Amusement arcade, Market Street", "Market Street"),
    ("leisure", "Eastbridge Ice Rink", "Wharf Street"),
    ("leisure", "Brookside Sports Hall", "Meadow Way"),
    ("leisure", "Wharf Climbing Wall", "Wharf Street"),
    ("leisure", "Hollowmere Sailing Club", "Lake View"),
    ("leisure", "Millbrook Youth Club", "Bakers Row"),
    # Other
    ("other", "Eastbridge Hospital emergency department", "London Road"),
    ("other", "Queen Street multi-storey car park", "Queen Street"),
    ("other", "Derelict mill, Wharf Street", "Wharf Street"),
    ("other", "Brook Lane allotments", "Brook Lane"),
    ("other", "Canal lock 5", "Lock Lane"),
    ("other", "Railway sidings, Bridge Street", "Bridge Street"),
    ("other", "Petrol station, London Road", "London Road"),
    ("other", "Recycling centre, Meadow Way", "Meadow Way"),
]
RESIDENTIAL_COUNT = 20

# How much a place of each kind draws children and concerns, before its own popularity.
KIND_WEIGHT: dict[str, float] = {
    PlaceKind.TRANSPORT: 3.0,
    PlaceKind.PARK: 2.5,
    PlaceKind.TAKEAWAY: 2.0,
    PlaceKind.STREET: 2.0,
    PlaceKind.ESTATE: 2.0,
    PlaceKind.HOTEL: 1.5,
    PlaceKind.SCHOOL: 1.5,
    PlaceKind.SHOP: 1.2,
    PlaceKind.LICENSED: 1.2,
    PlaceKind.RESIDENTIAL: 1.2,
    PlaceKind.LEISURE: 1.0,
    PlaceKind.OTHER: 0.8,
}

BUS_STATION = "Eastbridge Bus Station"
PRIMARY_SCHOOLS = frozenset(
    {"St Mary's C of E Primary School", "Brookside Primary School", "Greenhill Primary School"}
)
COLLEGE = "Eastbridge College"
PUPIL_REFERRAL_UNIT = "Eastbridge Learning Centre"


@dataclass(frozen=True)
class WardSpec:
    name: str
    code: str
    outward: str
    ring: tuple[tuple[float, float], ...]  # (longitude, latitude), closed, anticlockwise

    @property
    def boundary(self) -> dict:
        return {"type": "Polygon", "coordinates": [[list(p) for p in self.ring]]}

    def contains(self, longitude: float, latitude: float) -> bool:
        return point_in_ring(longitude, latitude, self.ring)


@dataclass(frozen=True)
class PlaceSpec:
    name: str
    kind: str
    ward: int  # index into Town.wards
    address: str
    postcode: str
    latitude: float
    longitude: float
    popularity: float  # fixed per place: how much it draws concerns, kind aside


@dataclass(frozen=True)
class Town:
    wards: tuple[WardSpec, ...]
    places: tuple[PlaceSpec, ...]

    def place_index(self, name: str) -> int:
        for i, place in enumerate(self.places):
            if place.name == name:
                return i
        raise KeyError(name)

    def places_of_kind(self, *kinds: str) -> list[int]:
        return [i for i, p in enumerate(self.places) if p.kind in kinds]


def point_in_ring(x: float, y: float, ring: tuple[tuple[float, float], ...]) -> bool:
    """Ray casting: is (x, y) inside the closed ring?"""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _ward_rings(rng: random.Random) -> list[list[tuple[float, float]]]:
    lat0, lon0 = CENTRE[0] - HALF_HEIGHT, CENTRE[1] - HALF_WIDTH
    dx, dy = 2 * HALF_WIDTH / COLUMNS, 2 * HALF_HEIGHT / ROWS
    corners = {
        (i, j): (
            lon0 + i * dx + rng.uniform(-0.2, 0.2) * dx,
            lat0 + j * dy + rng.uniform(-0.2, 0.2) * dy,
        )
        for i in range(COLUMNS + 1)
        for j in range(ROWS + 1)
    }
    midpoints: dict[tuple[tuple[int, int], tuple[int, int]], tuple[float, float]] = {}

    def midpoint(a: tuple[int, int], b: tuple[int, int]) -> tuple[float, float]:
        key = (min(a, b), max(a, b))
        if key not in midpoints:
            (x1, y1), (x2, y2) = corners[key[0]], corners[key[1]]
            # Push the midpoint sideways so boundaries look drawn, not ruled.
            nx, ny = -(y2 - y1), x2 - x1
            t = rng.uniform(-0.12, 0.12)
            midpoints[key] = ((x1 + x2) / 2 + t * nx, (y1 + y2) / 2 + t * ny)
        return midpoints[key]

    rings = []
    for j in range(ROWS):
        for i in range(COLUMNS):
            path = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1), (i, j)]
            ring: list[tuple[float, float]] = []
            for a, b in zip(path, path[1:], strict=False):
                ring += [corners[a], midpoint(a, b)]
            ring.append(ring[0])
            rings.append([(round(x, 6), round(y, 6)) for x, y in ring])
    return rings


def _point_inside(rng: random.Random, ward: WardSpec) -> tuple[float, float]:
    xs = [p[0] for p in ward.ring]
    ys = [p[1] for p in ward.ring]
    while True:
        x, y = rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys))
        if ward.contains(x, y):
            return round(y, 6), round(x, 6)


def _postcode(rng: random.Random, outward: str) -> str:
    return f"{outward} {rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"


@functools.cache
def town() -> Town:
    """Eastbridge's wards and places. The same for every seed."""
    # A fixed seed: the map is the same for every build. Not security.
    rng = random.Random("eastbridge-geography")  # noqa: S311  # nosec B311
    rings = _ward_rings(rng)
    # Central is EB1; the rest are numbered in grid order.
    grid_names = [name for row in WARD_GRID for name, _ in row]
    order = ["Eastbridge Central"] + [n for n in grid_names if n != "Eastbridge Central"]
    wards = tuple(
        WardSpec(
            name=name,
            code=f"E0599{order.index(name) + 1:04d}",
            outward=f"EB{order.index(name) + 1}",
            ring=tuple(ring),
        )
        for name, ring in zip(grid_names, rings, strict=True)
    )
    street_ward = {
        street: grid_names.index(name)
        for row in WARD_GRID
        for name, streets in row
        for street in streets
    }
    specs = list(PLACES)
    streets = sorted(street_ward)
    seen_addresses: set[str] = set()
    while len(specs) < len(PLACES) + RESIDENTIAL_COUNT:
        street = rng.choice(streets)
        number = rng.randint(1, 160)
        flat = f"Flat {rng.randint(1, 12)}, " if rng.random() < 0.5 else ""
        address = f"{flat}{number} {street}"
        if address not in seen_addresses:
            seen_addresses.add(address)
            specs.append(("residential", address, street))

    places = []
    for kind, name, street in specs:
        ward_index = street_ward[street]
        ward = wards[ward_index]
        latitude, longitude = _point_inside(rng, ward)
        if kind == "residential":
            address = f"{name}, {TOWN}"
        else:
            address = f"{rng.randint(1, 180)} {street}, {TOWN}"
        places.append(
            PlaceSpec(
                name=name,
                kind=kind,
                ward=ward_index,
                address=address,
                postcode=_postcode(rng, ward.outward),
                latitude=latitude,
                longitude=longitude,
                popularity=rng.lognormvariate(0, 0.6),
            )
        )
    return Town(wards=wards, places=tuple(places))
