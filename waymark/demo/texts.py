"""Words for the demo: children's strengths and voices, and concern narratives.

Narratives are built from parts (what was seen, the warning signs, what the child said, what was
done) so that ten thousand of them read as many different reports. They use welfare language:
children are at risk or being harmed, adults exploit them, and the response is about safety.
"""

import random
from collections.abc import Sequence

from waymark.people.models import Gender

from .names import words

STRENGTHS = words(
    "Loves football and plays for Abbey Fields FC on Sundays.|"
    "Funny and kind; looks out for {their} younger brother.|"
    "Really good at art and wants to do a course at Eastbridge College.|"
    "Goes to Eastbridge Boxing Club three times a week and is proud of it.|"
    "Close to {their} nan and visits her every Sunday.|"
    "Good at maths and likes {their} form tutor.|"
    "Enjoys cooking and helps out at the community kitchen.|"
    "Plays the drums in the youth centre band.|"
    "Goes to the Friday youth club at Northgate Youth Centre and gets on well with staff.|"
    "Has a Saturday job at the Market Hall and is reliable.|"
    "Wants to be a mechanic and is doing well on the motor vehicle course.|"
    "Speaks three languages and translates for {their} mum.|"
    "Walks the neighbour's dog every day and is great with animals.|"
    "Brilliant at gaming and has built {their} own computer.|"
    "Dances with a street dance group at the leisure centre.|"
    "Wants to join the army cadets.|"
    "Swims for the Hollowmere club and has won medals.|"
    "Writes lyrics and raps; {they} {are} thoughtful about {their} music.|"
    "Helps {their} dad with his market stall.|"
    "Has kept up {their} attendance all term."
)
TRUSTED = words(
    "Trusts {their} youth worker Dan.|Trusts {their} social worker Jade.|"
    "Talks to Mr Evans, {their} head of year, when worried.|Trusts {their} aunt.|"
    "Gets on well with the school nurse.|Trusts {their} football coach.|"
    "Has a good relationship with {their} mum.|Trusts Emma at the youth club."
)
OWN_WORDS = words(
    "I just want people to stop treating me like I'm the problem.|"
    "They're my mates. They look after me.|"
    "I don't like going home when he's there.|"
    "I'd like to go to college and do hair and beauty.|"
    "Dan's alright, he actually listens.|"
    "I owe money and I don't know how to pay it back.|"
    "The bus station is where everyone goes after school. There's nowhere else.|"
    "I want my phone back and for everyone to leave me alone.|"
    "School is boring but I like PE.|"
    "My mum worries too much. I can look after myself.|"
    "I feel safe at the youth club.|"
    "I don't want to get anyone into trouble.|"
    "Please don't tell my dad.|"
    "I'd like a job so I've got my own money.|"
    "It's not like that, he's my boyfriend.|"
    "Drawing calms me down.|"
    "Everyone round here knows who they are. You just keep your head down.|"
    "I want to be a paramedic.|"
    "Nobody asked me what I thought before.|"
    "I don't go down the park any more. It's not safe.|"
    "I just want things to go back to normal.|"
    "I like it when people don't judge me."
)

# What was seen, per risk category. Slots are filled by `narrative`.
SEEN = {
    "cse": words(
        "{who} {was} seen getting into a car with {adult} {at} {when}.|"
        "Staff {at} saw {who} with {adult}, who paid in cash and bought {them} food and drink.|"
        "{who} {was} found in a room {at} {when} with {adult}.|"
        "{who} told staff that {adult} had been messaging {them} and asking to meet {at}.|"
        "{who} {was} seen {at} {when} being given a lift by {adult}."
    ),
    "cce": words(
        "{who} {was} stopped {at} {when} carrying a bag {they} would not open.|"
        "{who} {was} seen handing small packages to adults {at} {when}.|"
        "{who} {has} been travelling to other towns by train and {is} vague about why.|"
        "{who} told staff {they} owe{s} money to {adult} and {is} frightened.|"
        "{who} {was} seen {at} {when} with {adult}, taking phone calls and then leaving quickly."
    ),
    "trafficking": words(
        "{who} {was} found {at} {when}, far from home, unable to say how {they} got there.|"
        "{who} {has} been moved between addresses by {adult}.|"
        "{who} {was} seen {at} {when} being collected by {adult} and driven away."
    ),
    "modern_slavery": words(
        "{who} {was} seen working {at} {when} on a school day.|"
        "{who} said {they} work{s} long hours {at} for {adult} and {is} paid very little.|"
        "{who} {was} found sleeping in a back room {at}."
    ),
    "gangs": words(
        "{who} {was} involved in a fight {at} {when}.|"
        "{who} {was} chased {at} {when} by a group of older teenagers.|"
        "{who} {was} seen {at} {when} with a group, one of whom showed a knife.|"
        "{who} {has} posted videos that name rival areas and {was} then threatened {at}."
    ),
    "radicalisation": words(
        "{who} shared extremist videos in a group chat with classmates.|"
        "{who} {has} been spending time with {adult} who talks about 'us and them'.|"
        "Staff {at} heard {who} repeating hateful views picked up online."
    ),
    "hsb": words(
        "{who} {was} reported for sexualised behaviour towards younger children {at}.|"
        "{who} pressured another pupil to send images.|"
        "Staff {at} saw {who} touching another child without consent."
    ),
    "online": words(
        "{who} {was} contacted on social media by {adult} asking for photos.|"
        "{who} {was} threatened online that images would be shared unless {they} paid.|"
        "{who} {is} being bullied in a group chat and {has} stopped going out."
    ),
    "missing": words(
        "{who} went missing overnight and {was} found {at} {when}.|"
        "{who} did not come home after school and {was} later found {at}.|"
        "{who} {has} been missing three times this month; this time {they} {was} found {at}."
    ),
    "substances": words(
        "{who} {was} found drunk {at} {when}.|"
        "{who} {was} seen smoking cannabis {at} {when} with older teenagers.|"
        "{who} {was} sold alcohol {at} without being asked for ID."
    ),
    "other": words(
        "{who} {was} seen {at} {when} and staff were worried about {them}.|"
        "A member of the public called about {who} {at} {when}."
    ),
}

SIGNS = {
    "older_partner": "{who} talk{s} about an older 'boyfriend' but will not give his name.",
    "gifts": "{who} {has} a new phone and clothes that {their} family cannot explain.",
    "hotel": "{who} {has} been seen at a hotel and at a party address.",
    "transported": "Cars with unknown adults have been seen dropping {them} off late at night.",
    "images": "{who} may have been pressured to share images.",
    "sti_pregnancy": "There are worries about {their} sexual health.",
    "cash": "{who} had a large amount of cash.",
    "multiple_phones": "{who} had two phones, one of which kept ringing.",
    "travel": "{who} {has} been seen at stations out of the area.",
    "drugs_found": "Small wrapped packages were found in {their} bag.",
    "debt": "{who} said {they} owe{s} money and {is} scared of what will happen.",
    "injuries": "{who} had injuries {they} would not explain.",
    "moved": "{who} {has} stayed at several addresses in the last month.",
    "no_documents": "{who} had no ID and did not know {their} own address.",
    "controlled": "An adult answered {their} phone and would not let staff speak to {them}.",
    "forced_work": "{who} said {they} {is} paid little or nothing.",
    "accommodation": "{who} appear{s} to be living where {they} work.",
    "fear": "{who} seemed frightened of the adult in charge.",
    "weapon": "A knife was found nearby after the group left.",
    "territory": "{who} said {they} cannot go to some parts of town.",
    "music_social": "There are videos online naming {them}.",
    "assault": "{who} had been hit and had a cut to the face.",
    "extremist_material": "The material came from an extremist channel.",
    "isolation": "{who} {has} withdrawn from friends and family.",
    "grievance": "{who} talk{s} about a grievance against another community.",
    "inappropriate": "The behaviour is not typical for {their} age.",
    "coercion": "The other child felt unable to say no.",
    "online_sexual": "Some of this happened over social media.",
    "grooming": "The adult was not known to {them} or {their} family.",
    "sextortion": "{who} {was} told to pay or the images would be posted.",
    "bullying": "{who} {has} been sent threatening messages.",
    "overnight": "{who} {was} away all night.",
    "repeat": "This is one of several missing episodes.",
    "found_elsewhere": "{who} {was} found out of the area.",
    "alcohol": "{who} had been drinking.",
    "cannabis": "{who} smelt strongly of cannabis.",
    "other_drugs": "{who} may have taken pills.",
}

# Warning signs hotel staff are trained to spot.
HOTEL_SIGNS = words(
    "The room was booked in another name and paid for in cash.|"
    "There was no luggage and no ID.|"
    "Staff noticed many visitors going to the same room.|"
    "The adult asked staff not to disturb the room."
)

VOICE = {
    "cse": words("They're just my friends.|He buys me stuff, that's all.|I can handle it."),
    "cce": words(
        "I'm just doing a favour for a mate.|If I don't go they'll come to my house.|"
        "It's easy money."
    ),
    "gangs": words("You have to carry something round here.|They started it.|I'm not scared."),
    "missing": words("I just needed to get away for a bit.|I was at a friend's, that's all."),
    "online": words("I didn't know what to do.|I thought he was my age."),
    "substances": words("Everyone does it.|It helps me sleep."),
}

RESPONSE = {
    "police": words(
        "Officers made sure {who} got home safely and spoke to {their} parents.|"
        "An intelligence report was submitted and the exploitation team informed.|"
        "{who} {was} taken home; a return home interview was requested."
    ),
    "childrens_social_care": words(
        "Discussed with {their} social worker; a strategy discussion has been requested.|"
        "The safety plan was updated with {them} and {their} family.|"
        "Referred for discussion at the next MACE panel."
    ),
    "education": words(
        "The DSL was informed and {their} parents were contacted the same day.|"
        "Added to the school's safeguarding record; children's social care consulted."
    ),
    "health": words(
        "The safeguarding team was notified; {who} {was} offered a follow-up with the nurse."
    ),
    "youth_service": words(
        "The youth worker stayed with {them} until {they} {was} collected.|"
        "{who} {was} offered a place on the Friday mentoring group."
    ),
    "other": words(
        "Staff followed the partner procedure and called 101.|"
        "Reported to the control room, which alerted police.|"
        "Shared with the contextual safeguarding team so the place can be looked at."
    ),
}

UNKNOWN_ADULTS = words(
    "an older male|two men in their twenties|an unknown adult in a grey car|older teenagers|"
    "a man who said he was a cousin|a woman in her thirties|a group of adults"
)

HANDLING_CONDITIONS = words(
    "Do not share with the family without police agreement: risk to the source.|"
    "Share with named safeguarding leads only.|"
    "Not to be disclosed to the young person's family.|"
    "Police intelligence: ask the exploitation team before sharing further.|"
    "Source is a member of staff; do not identify them."
)

PRONOUNS: dict[str, tuple[str, str, str]] = {
    Gender.GIRL: ("she", "her", "her"),
    Gender.BOY: ("he", "him", "his"),
}


def _join(names: Sequence[str]) -> str:
    if not names:
        return "A young person"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def fill(
    template: str,
    children: Sequence[tuple[str, str]],
    *,
    named: bool = True,
    at: str = "",
    when: str = "",
    adult: str = "",
) -> str:
    """Fill a template's person slots for one or more children (name, gender).

    The first sentence about a child names them; later ones (`named=False`) use a pronoun.
    """
    singular = len(children) == 1 and children[0][1] in PRONOUNS
    they, them, their = PRONOUNS[children[0][1]] if singular else ("they", "them", "their")
    if not children:
        who = "A group of young people"
    else:
        who = _join([n for n, _ in children]) if named else they
    text = template.format(
        who=who,
        they=they,
        them=them,
        their=their,
        was="was" if singular else "were",
        has="has" if singular else "have",
        are="is" if singular else "are",
        s="s" if singular else "",
        **{"is": "is" if singular else "are"},  # "is" is a keyword, so it cannot be named
        at=at,
        when=when,
        adult=adult,
    )
    return text[0].upper() + text[1:]


STREET_ENDINGS = frozenset(words("Road|Street|Lane|Row|Close|Grove|Drive|Walk|Avenue|Way"))
GENERIC_FIRST_WORDS = frozenset(
    words(
        "Alley|Garages|Car|Junction|Derelict|Petrol|Railway|Recycling|Canal|Amusement|Hand|"
        "Nail|Barber's|Corner|Route|Mini|Late"
    )
)


def place_phrase(name: str, kind: str) -> str:
    """'at Chicken Palace, Station Road', 'on Mill Lane', 'at the car park behind the Red Lion'."""
    first, last = name.split()[0], name.split()[-1]
    if first in GENERIC_FIRST_WORDS:
        return f"at the {name[0].lower()}{name[1:]}"
    if kind == "street" and last in STREET_ENDINGS:
        return f"on {name}"
    if kind == "street":
        return f"at the {name}"
    return f"at {name}"


def when_phrase(rng: random.Random, hour: int | None, minute: int) -> str:
    if hour is None:
        return rng.choice(["after school", "in the evening", "at the weekend", "late at night"])
    if rng.random() < 0.5:
        return f"at about {hour:02d}:{minute:02d}"
    if hour < 12:
        return "in the morning"
    if hour < 15:
        return "during the school day"
    if hour < 19:
        return "after school"
    return "late in the evening" if hour < 23 else "in the early hours"


def narrative(
    rng: random.Random,
    *,
    categories: Sequence[str],
    indicators: Sequence[str],
    children: Sequence[tuple[str, str]],
    place: tuple[str, str] | None,
    adult: str | None,
    sector: str,
    hour: int | None,
    minute: int,
) -> str:
    """A concern narrative of two to five sentences."""
    main = categories[0]
    seen = fill(
        rng.choice(SEEN.get(main, SEEN["other"])),
        children,
        at=place_phrase(*place) if place else "",
        when=when_phrase(rng, hour, minute),
        adult=adult or rng.choice(UNKNOWN_ADULTS),
    )
    parts = [" ".join(seen.split()).replace(" .", ".")]
    if place and place[1] == "hotel" and rng.random() < 0.7:
        parts.append(rng.choice(HOTEL_SIGNS))
    for code in indicators[:2]:
        parts.append(fill(SIGNS[code], children, named=False))
    if children and main in VOICE and rng.random() < 0.35:
        parts.append(f'{children[0][0]} said: "{rng.choice(VOICE[main])}"')
    response = rng.choice(RESPONSE.get(sector, RESPONSE["other"]))
    parts.append(fill(response, children, named=False))
    return " ".join(parts)


def strengths_for(rng: random.Random, gender: str) -> str:
    parts = [rng.choice(STRENGTHS)]
    if rng.random() < 0.6:
        parts.append(rng.choice(TRUSTED))
    return " ".join(fill(p, [("", gender)], named=False) for p in parts)
