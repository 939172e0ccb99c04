"""The fixed risk taxonomy and the indicator checklist for each category."""

from django.db import models


class RiskCategory(models.TextChoices):
    CSE = "cse", "Child sexual exploitation"
    CCE = "cce", "Child criminal exploitation or county lines"
    TRAFFICKING = "trafficking", "Trafficking"
    MODERN_SLAVERY = "modern_slavery", "Modern slavery"
    GANGS = "gangs", "Gang involvement or serious youth violence"
    RADICALISATION = "radicalisation", "Radicalisation"
    HSB = "hsb", "Harmful sexual behaviour"
    ONLINE = "online", "Online harm"
    MISSING = "missing", "Going missing"
    SUBSTANCES = "substances", "Substance misuse"
    OTHER = "other", "Other"


# Exploitation categories: a concern in any of these counts towards "open exploitation concerns".
EXPLOITATION = frozenset(
    {RiskCategory.CSE, RiskCategory.CCE, RiskCategory.TRAFFICKING, RiskCategory.MODERN_SLAVERY}
)

INDICATORS: dict[str, list[tuple[str, str]]] = {
    RiskCategory.CSE: [
        ("older_partner", "Relationship with an older person"),
        ("gifts", "Unexplained gifts, money or phone"),
        ("hotel", "Seen at a hotel, B&B or party address"),
        ("transported", "Picked up or dropped off by unknown adults in cars"),
        ("images", "Sharing or being pressured to share images"),
        ("sti_pregnancy", "Sexual health concern or pregnancy"),
    ],
    RiskCategory.CCE: [
        ("cash", "Unexplained cash or new possessions"),
        ("multiple_phones", "More than one phone, or a phone that is always ringing"),
        ("travel", "Travelling out of area with no explanation"),
        ("drugs_found", "Found with drugs packaged for supply"),
        ("debt", "Owes a debt, or is afraid of someone"),
        ("injuries", "Unexplained injuries"),
    ],
    RiskCategory.TRAFFICKING: [
        ("moved", "Moved between addresses or areas by others"),
        ("no_documents", "No identity documents, or others hold them"),
        ("controlled", "Movement or communication controlled by someone"),
    ],
    RiskCategory.MODERN_SLAVERY: [
        ("forced_work", "Working for little or no pay"),
        ("accommodation", "Living at the place of work"),
        ("fear", "Fearful of an employer or of authorities"),
    ],
    RiskCategory.GANGS: [
        ("weapon", "Carrying or hiding a weapon"),
        ("territory", "Afraid to go to certain areas"),
        ("music_social", "Gang-related content on social media"),
        ("assault", "Assaulted, or assaulted someone"),
    ],
    RiskCategory.RADICALISATION: [
        ("extremist_material", "Viewing or sharing extremist material"),
        ("isolation", "Withdrawn from family and friends"),
        ("grievance", "Expresses us-and-them grievance"),
    ],
    RiskCategory.HSB: [
        ("inappropriate", "Sexual behaviour not typical for age"),
        ("coercion", "Coercion or force towards others"),
        ("online_sexual", "Harmful sexual behaviour online"),
    ],
    RiskCategory.ONLINE: [
        ("grooming", "Contact from unknown adults online"),
        ("sextortion", "Threats to share images"),
        ("bullying", "Bullied or threatened online"),
    ],
    RiskCategory.MISSING: [
        ("overnight", "Missing overnight"),
        ("repeat", "Repeated missing episodes"),
        ("found_elsewhere", "Found out of area"),
    ],
    RiskCategory.SUBSTANCES: [
        ("alcohol", "Alcohol use"),
        ("cannabis", "Cannabis use"),
        ("other_drugs", "Other drug use"),
    ],
    RiskCategory.OTHER: [],
}

INDICATOR_LABELS: dict[str, dict[str, str]] = {
    category: dict(items) for category, items in INDICATORS.items()
}
