"""Names and descriptions for invented people.

Children's names follow the ethnic mix of a diverse Midlands town: Faker's en_GB family names
and popular given names for most, and short lists for communities whose names Faker's British
locale does not cover. Descriptions of
persons of concern deliberately leave out ethnicity, so the demo cannot teach anyone to associate
a community with offending.
"""

import random

from faker import Faker

from waymark.people.models import AgeBand, Ethnicity, Gender


def words(text: str) -> list[str]:
    """Split a "|"-separated list; long word lists stay readable and ruff format leaves them."""
    return [w.strip() for w in text.split("|") if w.strip()]


# (ethnicity, weight, name pool). Weights are percentages of the town's children.
ETHNIC_MIX: list[tuple[str, float, str]] = [
    (Ethnicity.WHITE_BRITISH, 52.0, "british"),
    (Ethnicity.WHITE_IRISH, 0.6, "british"),
    (Ethnicity.WHITE_GYPSY, 0.6, "british"),
    (Ethnicity.WHITE_ROMA, 0.8, "eastern_european"),
    (Ethnicity.WHITE_OTHER, 6.0, "eastern_european"),
    (Ethnicity.ASIAN_INDIAN, 11.0, "indian"),
    (Ethnicity.ASIAN_PAKISTANI, 4.0, "muslim_south_asian"),
    (Ethnicity.ASIAN_BANGLADESHI, 2.0, "muslim_south_asian"),
    (Ethnicity.ASIAN_CHINESE, 1.0, "chinese"),
    (Ethnicity.ASIAN_OTHER, 2.0, "indian"),
    (Ethnicity.BLACK_AFRICAN, 5.0, "african"),
    (Ethnicity.BLACK_CARIBBEAN, 2.0, "british"),
    (Ethnicity.BLACK_OTHER, 1.0, "african"),
    (Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN, 2.5, "british"),
    (Ethnicity.MIXED_WHITE_BLACK_AFRICAN, 1.0, "british"),
    (Ethnicity.MIXED_WHITE_ASIAN, 1.5, "british"),
    (Ethnicity.MIXED_OTHER, 1.5, "british"),
    (Ethnicity.OTHER_ARAB, 1.0, "arab"),
    (Ethnicity.OTHER_ANY, 1.0, "british"),
    (Ethnicity.NOT_STATED, 3.0, "british"),
]

GENDER_MIX = [
    (Gender.GIRL, 48.0),
    (Gender.BOY, 48.5),
    (Gender.NON_BINARY, 1.5),
    (Gender.OTHER, 0.5),
    (Gender.NOT_KNOWN, 1.5),
]

# pool: (girls' names, boys' names, family names)
NAME_POOLS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "indian": (
        words("Priya|Anjali|Simran|Kiran|Riya|Navneet|Jaspreet|Meera|Divya|Pooja|Isha|Tara"),
        words("Arjun|Rohan|Harpreet|Jaskaran|Vikram|Aarav|Dev|Rahul|Nikhil|Karan|Sunny|Manpreet"),
        words("Patel|Sharma|Singh|Kaur|Gill|Mistry|Chauhan|Parmar|Lad|Joshi|Sandhu|Bains"),
    ),
    "muslim_south_asian": (
        words("Aisha|Maryam|Zara|Hafsa|Amira|Sana|Noor|Fatima|Inaaya|Khadija|Safa|Ruqayyah"),
        words("Mohammed|Ibrahim|Yusuf|Zain|Hamza|Ayaan|Bilal|Imran|Rayyan|Adam|Umar|Hassan"),
        words("Khan|Hussain|Ahmed|Ali|Rahman|Miah|Uddin|Iqbal|Malik|Akhtar|Shah|Chowdhury"),
    ),
    "arab": (
        words("Layla|Yasmin|Mariam|Nour|Hala|Rania"),
        words("Omar|Ahmad|Khalid|Youssef|Sami|Tariq"),
        words("Haddad|Nasser|Saleh|Mansour|Khalil|Aziz"),
    ),
    "african": (
        words("Abena|Chioma|Adaeze|Blessing|Esther|Favour|Precious|Amara|Zainab|Fatou|Hodan"),
        words("Kwame|Chidi|Tobi|Emmanuel|David|Samuel|Kofi|Daniel|Ayo|Abdi|Mohamed|Segun"),
        words("Okafor|Mensah|Adeyemi|Owusu|Boateng|Eze|Okoro|Asante|Abdi|Farah|Warsame|Nwosu"),
    ),
    "chinese": (
        words("Mei|Lily|Chloe|Jia|Amy|Xin"),
        words("Wei|Jason|Ethan|Hao|Kevin|Jun"),
        words("Chen|Wong|Li|Zhang|Lam|Cheung|Liu|Ho"),
    ),
    "eastern_european": (
        words("Zuzanna|Maja|Alicja|Natalia|Andreea|Ioana|Elena|Julia|Oliwia|Gabriela"),
        words("Jakub|Kacper|Szymon|Filip|Andrei|Mihai|Stefan|Lukas|Tomasz|Adrian"),
        words(
            "Nowak|Kowalski|Wisniewski|Lewandowski|Popescu|Ionescu|Stan|Dumitru|Horvath|"
            "Kaminski|Balog|Lakatos"
        ),
    ),
}

# Popular names for babies born in England and Wales in 2008 to 2016 (ONS): children's names,
# where Faker's en_GB first names belong to their parents' and grandparents' generations.
BRITISH_GIRLS = words(
    "Olivia|Amelia|Emily|Isla|Ava|Jessica|Isabella|Lily|Ella|Mia|Sophie|Grace|Chloe|Evie|"
    "Poppy|Ruby|Sophia|Freya|Charlotte|Millie|Daisy|Phoebe|Holly|Lucy|Megan|Erin|Scarlett|"
    "Ellie|Katie|Lacey|Amy|Leah|Molly|Hannah|Abigail|Harriet|Keira|Summer|Niamh|Caitlin|"
    "Jasmine|Paige|Courtney|Eva|Maisie|Alice|Rebecca|Lola|Imogen|Tia|Skye|Demi"
)
BRITISH_BOYS = words(
    "Oliver|Jack|Harry|Jacob|Charlie|Thomas|George|Oscar|James|William|Noah|Alfie|Joshua|"
    "Leo|Archie|Ethan|Joseph|Freddie|Samuel|Alexander|Logan|Daniel|Isaac|Max|Benjamin|Mason|"
    "Lucas|Edward|Harrison|Jake|Dylan|Riley|Finley|Theo|Sebastian|Zachary|Arthur|Toby|Jayden|"
    "Luke|Harley|Lewis|Tyler|Kai|Liam|Callum|Reece|Kyle|Connor|Brandon|Ryan|Declan|Tyrese|Kian"
)
UNISEX_NAMES = words("Alex|Charlie|Jordan|Riley|Sam|Jamie|Robin|Ash|Frankie|Kai|Morgan|Rowan")

KNOWN_AS = dict(
    pair.split("=")
    for pair in words(
        "Mohammed=Mo|Mohamed=Mo|Alexander=Alex|Thomas=Tom|Oliver=Ollie|Jessica=Jess|"
        "Rebecca=Becky|Samuel=Sam|Daniel=Danny|Joshua=Josh|Jaskaran=Jas|Jaspreet=Jas|"
        "Emmanuel=Manny|Katherine=Kate|Elizabeth=Lizzie|Benjamin=Ben|Matthew=Matt|"
        "Nathaniel=Nate|Olivia=Liv|Natalia=Tala|Ibrahim=Ibby|Abigail=Abi|Harriet=Hattie|"
        "Jacob=Jake|Christopher=Chris|Victoria=Tori|Alicja=Ala|Oluwatobi=Tobi"
    )
)


def child_name(fake: Faker, rng: random.Random, pool: str, gender: str) -> tuple[str, str]:
    """A given name and family name for a child of this gender from this name pool."""
    if pool == "british":
        family = fake.last_name()
        if gender == Gender.GIRL:
            return rng.choice(BRITISH_GIRLS), family
        if gender == Gender.BOY:
            return rng.choice(BRITISH_BOYS), family
        return rng.choice(UNISEX_NAMES + BRITISH_GIRLS + BRITISH_BOYS), family
    girls, boys, families = NAME_POOLS[pool]
    family = rng.choice(families)
    if gender == Gender.GIRL:
        return rng.choice(girls), family
    if gender == Gender.BOY:
        return rng.choice(boys), family
    return rng.choice(girls + boys + UNISEX_NAMES), family


NICKNAMES = words(
    "Smokey|Big T|Ghost|Dee|Tiny|Spider|Milo|Ace|Chips|Rocco|Duke|Jay-P|Slim|Bugsy|K-Dog|"
    "Bossman|Fizz|Scooby|Nitro|Lil J|Dex|Skinny|Ronnie|Uncle Steve|The Cabbie|Taxi Man|Mr Nice|"
    "Marky|Sully|Red|Zee|Kash|Trigger|Shadow|Sparky|Teflon|Rico|Stretch|Boy Boy|Jamz|Vinnie|"
    "Gaz|Bubbles|Tank|Lucky|Snowy|Prof|Digger|Mouse|Legs"
)

AGE_BAND_MIX = [
    (AgeBand.UNDER_18, 10.0),
    (AgeBand.AGE_18_24, 40.0),
    (AgeBand.AGE_25_34, 28.0),
    (AgeBand.AGE_35_44, 11.0),
    (AgeBand.AGE_45_PLUS, 5.0),
    (AgeBand.NOT_KNOWN, 6.0),
]
AGE_PHRASE: dict[str, list[str]] = {
    AgeBand.UNDER_18: words("about 16 or 17|mid to late teens|looks about 17"),
    AgeBand.AGE_18_24: words("early 20s|about 19 or 20|late teens or early 20s|about 23"),
    AgeBand.AGE_25_34: words("late 20s|about 30|early 30s"),
    AgeBand.AGE_35_44: words("late 30s|about 40"),
    AgeBand.AGE_45_PLUS: words("about 50|in his 50s|older, greying"),
    AgeBand.NOT_KNOWN: words("age not known|face not seen"),
}
BUILDS = words("slim build|stocky build|tall and thin|medium build|heavy-set|athletic build")
HAIR = words(
    "short dark hair|shaved head|dark curly hair|hair in a bun|dreadlocks|a skin fade|"
    "ginger beard|short grey hair|braids"
)
CLOTHING = words(
    "a black puffer jacket and a man bag|a grey tracksuit|a long black coat|a snood pulled up|"
    "designer trainers and a gold chain|a hi-vis work jacket|a white hoodie with the hood up|"
    "a camouflage jacket|a smart coat and a flat cap"
)
EXTRAS = words(
    "Has a tattoo on his neck.|Walks with a limp.|Speaks with a local accent.|"
    "Always has two phones.|Known to wait near schools at home time.|"
    "Often carries a large amount of cash.|Has a scar across his left eyebrow.|"
    "Drives young people to other towns.|Offers lifts and free vapes to children."
)

VEHICLES = words(
    "Audi A3|BMW 1 Series|Mercedes A-Class|Volkswagen Golf|Ford Fiesta|Vauxhall Corsa|"
    "Toyota Prius|Range Rover Evoque|Seat Leon|Nissan Qashqai|Ford Transit van|Honda moped"
)
COLOURS = words("black|grey|silver|white|blue|red|dark green")
PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"  # no I, Q or Z in the random part of a plate


def person_description(rng: random.Random, age_band: str, sex: str | None = None) -> str:
    """Appearance only: no ethnicity, no names of children. `sex` is drawn unless given."""
    drawn = rng.choices(["Male", "Female"], weights=[85, 15])[0]
    sex = sex or drawn
    parts = [
        f"{sex}, {rng.choice(AGE_PHRASE[age_band])}, {rng.choice(BUILDS)}, {rng.choice(HAIR)}.",
        f"Often wears {rng.choice(CLOTHING)}.",
    ]
    if rng.random() < 0.7:
        extras = (
            EXTRAS if age_band != AgeBand.UNDER_18 else [e for e in EXTRAS if "Drives" not in e]
        )
        parts.append(rng.choice(extras))
    text = " ".join(parts)
    if sex == "Female":
        text = text.replace(" his ", " her ")
    return text


def registration(rng: random.Random) -> str:
    """A plate in the current UK format (two letters, two digits, three letters)."""
    age = rng.choice([f"{n:02d}" for n in [*range(10, 24), *range(60, 74)]])
    area = "".join(rng.choice(PLATE_LETTERS) for _ in range(2))
    tail = "".join(rng.choice(PLATE_LETTERS) for _ in range(3))
    return f"{area}{age}{tail}"
