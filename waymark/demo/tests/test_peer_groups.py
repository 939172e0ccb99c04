"""The demo town's planted peer groups, and the person of concern who links them, are what
peer-group analysis finds; and group vulnerability rates the planted groups high, and few others.

Detection is what the Peer groups page runs: `peer_groups_refresh` over the database's links,
its groups written as DetectedGroup rows, and `key_connections_now` for the persons of concern
linked to children in two or more groups.
"""

from collections import Counter

import pytest

from waymark.analytics.peer_groups import normalized_mutual_information
from waymark.contexts.models import DetectedGroup, DetectedGroupMember, Vulnerability
from waymark.contexts.peer_groups.network import key_connections_now, peer_groups_refresh
from waymark.demo.generator import demo_ensure
from waymark.demo.truths import DemoTruths, demo_truths
from waymark.people.models import PersonOfConcern, YoungPerson

pytestmark = pytest.mark.django_db

SEED = 7
SCALE = 0.25
MIN_NMI = 0.9
MAX_HIGH_SHARE = 0.25  # of all detected groups, at most this many are rated high
FLAGGED_REASON = "linked to persons of concern with current flags"


@pytest.fixture(autouse=True)
def demo_mode(settings):
    settings.WAYMARK_DEMO = True


@pytest.fixture
def truths() -> DemoTruths:
    demo_ensure(seed=SEED, scale=SCALE)
    peer_groups_refresh(force=True)
    return demo_truths()


def young_person_ids(references: tuple[str, ...]) -> list[int]:
    ids = dict(YoungPerson.objects.filter(reference__in=references).values_list("reference", "pk"))
    return [ids[ref] for ref in references]


def detected_group_of() -> dict[int, int]:
    """Young person id -> the number of the detected group they are in."""
    return dict(
        DetectedGroupMember.objects.filter(group__active=True).values_list(
            "young_person_id", "group__number"
        )
    )


def planted_groups_as_detected(truths: DemoTruths) -> list[int]:
    """For each planted group, the detected group that holds most of its members."""
    group_of = detected_group_of()
    found = []
    for group in truths.peer_groups:
        held = Counter(group_of[p] for p in young_person_ids(group.members) if p in group_of)
        assert held, f"no member of the group at {group.hangout} is in a detected group"
        number, members_held = held.most_common(1)[0]
        assert members_held * 2 > len(group.members), (
            f"the group at {group.hangout} is split: its largest detected group holds "
            f"{members_held} of its {len(group.members)} members"
        )
        found.append(number)
    return found


def test_detection_recovers_the_planted_groups_and_the_person_who_links_them(truths):
    """NMI between the planted groups and the detected ones, over the children that matter: every
    planted member, and every member of a detected group that holds a planted member.

    In the planted labelling each planted group is one cluster and every other child is a
    cluster of their own, so a detected group that takes in children from outside its planted
    group lowers the score, as does a planted group split between detected groups. In the
    detected labelling each detected group is one cluster and a planted member left out of every
    group is a cluster of their own. Children in no detected group that holds a planted member
    are left out: they say nothing about the planted groups.
    """
    group_of = detected_group_of()
    planted = {
        person: n
        for n, group in enumerate(truths.peer_groups)
        for person in young_person_ids(group.members)
    }
    holding = {group_of[p] for p in planted if p in group_of}
    children = sorted(set(planted) | {p for p, g in group_of.items() if g in holding})
    # Labels: planted groups are 0..4 and detected group numbers are positive; a singleton is
    # labelled by the child's own id, negated, so it clashes with no group.
    planted_labels = [planted.get(p, -p) for p in children]
    detected_labels = [group_of.get(p, -p) for p in children]
    nmi = normalized_mutual_information(planted_labels, detected_labels)
    assert nmi >= MIN_NMI, f"NMI {nmi:.3f} over {len(children)} children"

    # The person of concern who exploits children in several planted groups is reported as
    # linking every one of those groups, through exactly the children he was planted with.
    as_detected = planted_groups_as_detected(truths)
    linked_groups = {as_detected[n] for n in truths.linking_groups}
    assert len(linked_groups) >= 3
    linking = PersonOfConcern.objects.get(reference=truths.linking_person_of_concern)
    bridges = {b.person_of_concern: b for b in key_connections_now().persons_of_concern}
    assert linking.pk in bridges, "the linking person of concern is not reported"
    bridge = bridges[linking.pk]
    assert set(bridge.groups) == linked_groups
    assert set(bridge.young_people) == set(young_person_ids(truths.linking_young_people))


def test_the_planted_groups_are_high_and_few_other_groups_are(truths):
    """High means something: each planted group (every member linked to a person of concern
    with current flags, most with open exploitation concerns) is high, and most groups are not."""
    groups = {g.number: g for g in DetectedGroup.objects.filter(active=True)}
    for planted, number in zip(truths.peer_groups, planted_groups_as_detected(truths), strict=True):
        group = groups[number]
        assert group.vulnerability == Vulnerability.HIGH, (planted.hangout, group.reasons)
        # "11 of 11 members are linked to persons of concern with current flags"
        flagged = next(r for r in group.reasons if r.endswith(FLAGGED_REASON))
        assert 2 * int(flagged.split()[0]) >= group.memberships.count(), group.reasons
    high = [g for g in groups.values() if g.vulnerability == Vulnerability.HIGH]
    assert len(high) <= MAX_HIGH_SHARE * len(groups), f"{len(high)} of {len(groups)} are high"
