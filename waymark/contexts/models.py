from typing import Any

from django.conf import settings
from django.db import models

from waymark.core.fields import EncryptedCharField
from waymark.core.models import EncryptedModel, TimeStampedModel
from waymark.core.validators import validate_latitude, validate_longitude, validate_postcode


class Ward(TimeStampedModel):
    """An electoral ward: the unit partnerships report by. Its boundary is a GeoJSON polygon."""

    name = models.CharField(max_length=120, unique=True)
    code = models.CharField(max_length=12, unique=True)
    boundary = models.JSONField(
        default=dict, blank=True, help_text="GeoJSON Polygon geometry, WGS84"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlaceKind(models.TextChoices):
    PARK = "park", "Park or open space"
    SHOP = "shop", "Shop"
    TAKEAWAY = "takeaway", "Takeaway or café"
    HOTEL = "hotel", "Hotel or B&B"
    LICENSED = "licensed", "Licensed premises"
    TRANSPORT = "transport", "Transport hub or route"
    STREET = "street", "Street"
    ESTATE = "estate", "Estate"
    SCHOOL = "school", "School or college"
    LEISURE = "leisure", "Leisure"
    RESIDENTIAL = "residential", "Residential address"
    OTHER = "other", "Other"


class Place(EncryptedModel, TimeStampedModel):
    """A place where children spend time. A context in its own right, not only an address."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PlaceKind.choices)
    # Encrypted for every kind, not only residential: simpler, and a kind can be changed later.
    address = EncryptedCharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_postcode])
    uprn = models.CharField("UPRN", max_length=12, blank=True)
    latitude = models.FloatField(validators=[validate_latitude])
    longitude = models.FloatField(validators=[validate_longitude])
    ward = models.ForeignKey(Ward, null=True, blank=True, on_delete=models.PROTECT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return self.name


class Vulnerability(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class PeerGroupDetection(models.Model):
    """One run of peer-group detection over the network of associations."""

    computed_at = models.DateTimeField(db_index=True)
    data_version = models.CharField(max_length=64)
    window_start = models.DateField()
    window_end = models.DateField()
    parameters = models.JSONField(default=dict)
    modularity = models.FloatField(null=True)
    young_people = models.PositiveIntegerField(default=0)
    links = models.PositiveIntegerField(default=0)
    groups = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-computed_at", "-id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"Peer groups computed {self.computed_at:%d %b %Y %H:%M}"


class DetectedGroup(TimeStampedModel):
    """A group found in the network. Its number is kept across recomputation while its members
    stay largely the same, so a practitioner sees the same group tomorrow."""

    number = models.PositiveIntegerField(unique=True)
    active = models.BooleanField(default=True, db_index=True)
    first_detected = models.ForeignKey(
        PeerGroupDetection, on_delete=models.PROTECT, related_name="first_groups"
    )
    last_detected = models.ForeignKey(
        PeerGroupDetection, on_delete=models.PROTECT, related_name="groups_found"
    )
    members: "models.ManyToManyField[Any, DetectedGroupMember]" = models.ManyToManyField(
        "people.YoungPerson", through="DetectedGroupMember", related_name="detected_groups"
    )
    vulnerability = models.CharField(
        max_length=8, choices=Vulnerability.choices, default=Vulnerability.LOW
    )
    # The facts behind the vulnerability, in words: never an unexplained score.
    reasons = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["number"]
        permissions = [("view_peer_network", "View peer groups and the network of associations")]
        default_permissions = ()

    def __str__(self) -> str:
        return f"Group {self.number}"


class DetectedGroupMember(models.Model):
    group = models.ForeignKey(DetectedGroup, on_delete=models.CASCADE, related_name="memberships")
    young_person = models.ForeignKey(
        "people.YoungPerson", on_delete=models.CASCADE, related_name="detected_memberships"
    )

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["group", "young_person"], name="detected_group_member_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.young_person_id} in group {self.group_id}"


class PeerGroup(TimeStampedModel):
    """A peer group saved as a context: the subject of assessments and context plans.

    It may start from a detected group, and keeps its own members, because what practitioners
    know about a group is more than what the network shows.
    """

    reference = models.CharField(max_length=12, unique=True, editable=False)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    detected_group = models.ForeignKey(
        DetectedGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="saved_as"
    )
    members: "models.ManyToManyField[Any, PeerGroupMember]" = models.ManyToManyField(
        "people.YoungPerson", through="PeerGroupMember", related_name="peer_groups"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_agency = models.ForeignKey(
        "accounts.Agency", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.reference})"


class PeerGroupMember(models.Model):
    peer_group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="memberships")
    young_person = models.ForeignKey(
        "people.YoungPerson", on_delete=models.CASCADE, related_name="peer_group_memberships"
    )
    added_on = models.DateField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["peer_group", "young_person"], name="peer_group_member_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.young_person_id} in peer group {self.peer_group_id}"


class PeerAlertKind(models.TextChoices):
    GROUP = "group", "Linked to a group at high risk"
    PERSON_OF_CONCERN = "person_of_concern", "Linked to a person of concern with current flags"


class PeerAlert(TimeStampedModel):
    """Early warning: a new link draws a young person towards a group or person of concern.

    It goes to the dashboards of the agencies involved with the young person when it is raised,
    says why in words, and is raised once for a link.
    """

    association = models.ForeignKey(
        "concerns.Association", on_delete=models.CASCADE, related_name="alerts"
    )
    young_person = models.ForeignKey(
        "people.YoungPerson", on_delete=models.CASCADE, related_name="peer_alerts"
    )
    kind = models.CharField(max_length=20, choices=PeerAlertKind.choices)
    detected_group = models.ForeignKey(
        DetectedGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    person_of_concern = models.ForeignKey(
        "people.PersonOfConcern",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    reason = models.TextField()
    agencies = models.ManyToManyField("accounts.Agency", related_name="peer_alerts")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("view", "change")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "young_person", "kind"], name="peer_alert_once_per_link"
            )
        ]

    def __str__(self) -> str:
        return f"Alert for {self.young_person_id}: {self.get_kind_display()}"


class OnlineSpaceKind(models.TextChoices):
    GROUP_CHAT = "group_chat", "Group chat"
    SERVER = "server", "Server or community"
    CHANNEL = "channel", "Channel or page"
    GAME = "game", "Game"
    OTHER = "other", "Other"


class OnlineSpace(TimeStampedModel):
    """An online space where children meet: a context in its own right, like a place.

    It is described by what it is and how it works, not by who is in it: the members of a group
    chat are children, and are linked to a case through concerns or a practitioner's link.
    """

    reference = models.CharField(max_length=12, unique=True, editable=False)
    platform = models.CharField(max_length=80)
    name = models.CharField("Name or handle", max_length=200)
    kind = models.CharField(max_length=20, choices=OnlineSpaceKind.choices)
    how_children_meet = models.TextField("How children meet there", blank=True)
    moderation = models.TextField(blank=True)
    reporting_routes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_agency = models.ForeignKey(
        "accounts.Agency", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["platform", "name"]

    def __str__(self) -> str:
        return f"{self.name} on {self.platform}"


class Neighbourhood(TimeStampedModel):
    """A neighbourhood as a context: a ward, or a named set of H3 areas (for example the cells of
    an emerging hot spot). Exactly one of the two is given."""

    reference = models.CharField(max_length=12, unique=True, editable=False)
    name = models.CharField(max_length=200)
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.PROTECT, related_name="neighbourhoods"
    )
    # H3 cell indexes, all of one resolution; empty for a ward.
    cells = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
