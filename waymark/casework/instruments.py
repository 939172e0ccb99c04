"""The assessment instruments: the areas each kind of assessment covers, and the scale each
area is rated on. Services validate ratings against these; pages and the API print them."""

from dataclasses import dataclass

from .models import AssessmentKind, SubjectKind


@dataclass(frozen=True)
class Scale:
    name: str
    points: tuple[tuple[int, str], ...]  # (stored value, label), lowest first

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(value for value, _ in self.points)

    def label(self, value: int) -> str:
        return dict(self.points)[value]


# How safe the side of the context is for children. 5 is the best: ratings rise as it improves.
SAFETY = Scale(
    "Safety for children, 1 (very unsafe) to 5 (safe)",
    (
        (1, "1: Very unsafe"),
        (2, "2: Unsafe"),
        (3, "3: Mixed"),
        (4, "4: Mostly safe"),
        (5, "5: Safe"),
    ),
)
# The school self-assessment's traffic light. Stored 1 to 3 so that, as on the safety scale, a
# higher rating is better and a change can be read the same way.
TRAFFIC_LIGHT = Scale("Traffic light", ((1, "Red"), (2, "Amber"), (3, "Green")))


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    hint: str


@dataclass(frozen=True)
class Instrument:
    kind: AssessmentKind
    scale: Scale
    areas: tuple[Area, ...]

    def area(self, key: str) -> Area:
        return next(a for a in self.areas if a.key == key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.areas)


INSTRUMENTS: dict[str, Instrument] = {
    AssessmentKind.LOCATION: Instrument(
        AssessmentKind.LOCATION,
        SAFETY,
        (
            Area(
                "young_people",
                "Young people's strengths and needs",
                "The young people who spend time here, as a group: what they bring and need.",
            ),
            Area(
                "guardianship",
                "Guardianship",
                "Which adults with a caring intention are present, and when.",
            ),
            Area(
                "environment",
                "Environment, resources and policy",
                "Lighting, sight lines, opening hours, licensing and transport.",
            ),
        ),
    ),
    AssessmentKind.PEER_GROUP: Instrument(
        AssessmentKind.PEER_GROUP,
        SAFETY,
        (
            Area("dynamics", "Group dynamics", "How the group works together and who leads."),
            Area("relationships", "Nature of the relationships", "Friendship, fear, debt, family."),
            Area("influence", "Influence on behaviour", "How the group shapes what members do."),
            Area("places", "Places the group uses", "Where and when the group spends time."),
        ),
    ),
    AssessmentKind.SCHOOL: Instrument(
        AssessmentKind.SCHOOL,
        TRAFFIC_LIGHT,
        (
            Area("structures", "Structures and systems", "Policies, leadership and recording."),
            Area("prevention", "Prevention", "Curriculum, culture and safe spaces."),
            Area("identification", "Identification", "Spotting harm outside the home."),
            Area("response", "Response and intervention", "What happens once harm is known."),
        ),
    ),
    AssessmentKind.ONLINE_SPACE: Instrument(
        AssessmentKind.ONLINE_SPACE,
        SAFETY,
        (
            Area("meeting", "How children meet there", "Invitations, links, who joins."),
            Area("harms", "Harms seen", "What has happened to children there."),
            Area("moderation", "Moderation", "Who moderates, and how quickly."),
            Area("reporting", "Reporting routes", "How children and adults can report harm."),
        ),
    ),
}


def assessment_kind_for(*, subject_kind: str, is_school: bool) -> AssessmentKind:
    """The instrument a case's subject is assessed with."""
    if subject_kind == SubjectKind.PLACE:
        return AssessmentKind.SCHOOL if is_school else AssessmentKind.LOCATION
    return {
        SubjectKind.NEIGHBOURHOOD: AssessmentKind.LOCATION,
        SubjectKind.PEER_GROUP: AssessmentKind.PEER_GROUP,
        SubjectKind.ONLINE_SPACE: AssessmentKind.ONLINE_SPACE,
    }[SubjectKind(subject_kind)]
