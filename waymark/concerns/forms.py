"""The record-a-concern form. It gathers answers; `concern_record` decides whether they stand."""

from typing import Any, cast

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError

from waymark.accounts.models import Agency
from waymark.accounts.selectors import agency_list_visible_to
from waymark.accounts.types import Actor
from waymark.contexts.models import PlaceKind
from waymark.contexts.places.selectors import place_list_visible_to
from waymark.core.forms import GovukDateField, GovukForm
from waymark.core.models import Reliability
from waymark.core.references import reference_normalise
from waymark.people.selectors import (
    person_of_concern_list_visible_to,
    young_person_get_for_recording,
)

from .models import (
    AssociationKind,
    HandlingCode,
    InformationAssessment,
    InvolvementRole,
    SourceEvaluation,
)
from .services import ConcernInput, concern_validate
from .taxonomy import INDICATORS, RiskCategory

NO_FIXED_PLACE = "none"
YOUNG_PERSON_ROWS = 6


def place_choices(user: Actor) -> list[Any]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for place in place_list_visible_to(user=user).order_by("name"):
        label = place.name + (f", {place.postcode}" if place.postcode else "")
        groups.setdefault(place.get_kind_display(), []).append((str(place.pk), label))
    return [
        ("", "Select a place"),
        (NO_FIXED_PLACE, "No fixed place (for example online)"),
        *[(kind.label, groups[kind.label]) for kind in PlaceKind if kind.label in groups],
    ]


class ConcernForm(GovukForm):
    occurred_on = GovukDateField(
        label="When did it happen?",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date it happened"},
    )
    occurred_time = forms.TimeField(
        label="What time did it happen? (optional)",
        required=False,
        help_text="Use the 24-hour clock, for example 21:30",
        widget=forms.TimeInput(format="%H:%M"),
    )
    occurred_approximate = forms.BooleanField(
        label="The date or time is approximate", required=False
    )
    place = forms.ChoiceField(
        label="Where did it happen?",
        help_text="Choose the place. If it happened online or on the move, choose no fixed "
        "place. If the place is not listed, add it first from Places.",
    )
    persons_of_concern = forms.CharField(
        label="Persons of concern (optional)",
        required=False,
        help_text="Their Waymark references, separated by commas, for example POC-4H7TQ. "
        "Search for them, or add them from your dashboard, first.",
    )
    categories = forms.MultipleChoiceField(
        label="What kind of harm is this about?",
        help_text="Select all that apply",
        choices=RiskCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    indicators = forms.MultipleChoiceField(
        label="What was seen or said? (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (f"{cat}:{key}", text) for cat, items in INDICATORS.items() for key, text in items
        ],
    )
    narrative = forms.CharField(
        label="What happened?",
        help_text="What you saw, heard or were told, and by whom. Use the young person's own words where you can.",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    source_evaluation = forms.ChoiceField(
        label="How reliable is the source?",
        choices=SourceEvaluation.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    information_assessment = forms.ChoiceField(
        label="How does the source know this?",
        choices=InformationAssessment.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    handling_code = forms.ChoiceField(
        label="Can this information be shared?",
        choices=HandlingCode.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    handling_conditions = forms.CharField(
        label="Conditions on sharing",
        help_text="Needed if sharing has conditions (code C): who may see it and why",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    handling_agencies = forms.ModelMultipleChoiceField(
        label="Which other agencies may see it? (code C only)",
        help_text="With conditions, only your agency and the agencies you choose see this concern",
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    link_kind = forms.ChoiceField(
        label="How are the people in this concern linked?",
        help_text="Waymark links everyone named in a concern, with this concern as the source",
        choices=AssociationKind.choices,
        initial=AssociationKind.ASSOCIATE,
    )
    link_reliability = forms.ChoiceField(
        label="How reliable is that link?",
        choices=Reliability.choices,
        initial=Reliability.UNCONFIRMED,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["place"]).choices = place_choices(user)
        agencies: Any = self.fields["handling_agencies"]
        agencies.queryset = agency_list_visible_to(user=user).exclude(
            users__pk=getattr(user, "pk", 0) or 0
        )
        self.fields["place"].error_messages["required"] = (
            "Select the place where it happened, or say it had no fixed place"
        )
        for i in range(1, YOUNG_PERSON_ROWS + 1):
            self.fields[f"yp_{i}"] = forms.CharField(
                label=f"Young person {i}: reference",
                required=False,
                widget=forms.TextInput(
                    attrs={"class": "govuk-input govuk-input--width-10", "spellcheck": "false"}
                ),
            )
            self.fields[f"yp_role_{i}"] = forms.ChoiceField(
                label=f"Young person {i}: role",
                choices=InvolvementRole.choices,
                initial=InvolvementRole.AT_RISK,
                required=False,
            )
        self.input: ConcernInput | None = None

    def young_person_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"yp_{i}"], self[f"yp_role_{i}"]) for i in range(1, YOUNG_PERSON_ROWS + 1)]

    def indicators_by_category(self) -> list[tuple[str, list[Any]]]:
        bound = {c.data["value"]: c for c in self["indicators"]}
        return [
            (label, [bound[f"{cat}:{key}"] for key, _ in INDICATORS[cat]])
            for cat, label in RiskCategory.choices
            if INDICATORS.get(cat)
        ]

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())
        young_people = []
        for i in range(1, YOUNG_PERSON_ROWS + 1):
            ref = (data.get(f"yp_{i}") or "").strip()
            if not ref:
                continue
            try:
                person = young_person_get_for_recording(user=self.user, reference=ref)
            except ObjectDoesNotExist:
                self.add_error(f"yp_{i}", f"There is no young person with reference {ref}")
                continue
            young_people.append((person, data.get(f"yp_role_{i}") or InvolvementRole.AT_RISK))
        pocs = []
        visible_pocs = person_of_concern_list_visible_to(user=self.user)
        for ref in filter(None, (r.strip() for r in data.get("persons_of_concern", "").split(","))):
            try:
                pocs.append(visible_pocs.get(reference=reference_normalise(ref)))
            except ObjectDoesNotExist:
                self.add_error("persons_of_concern", f"There is no person of concern {ref}")
        risks: dict[str, list[str]] = {c: [] for c in data.get("categories", [])}
        for item in data.get("indicators", []):
            cat, _, key = item.partition(":")
            # An indicator implies its kind of harm.
            risks.setdefault(cat, []).append(key)
        place = None
        place_value = data.get("place")
        if place_value and place_value != NO_FIXED_PLACE:
            place = place_list_visible_to(user=self.user).filter(pk=place_value).first()
        candidate = ConcernInput(
            occurred_on=data.get("occurred_on"),
            occurred_time=data.get("occurred_time"),
            occurred_approximate=bool(data.get("occurred_approximate")),
            place=place,
            no_fixed_place=place_value == NO_FIXED_PLACE,
            narrative=data.get("narrative", ""),
            source_evaluation=data.get("source_evaluation", ""),
            information_assessment=data.get("information_assessment", ""),
            handling_code=data.get("handling_code", ""),
            handling_conditions=data.get("handling_conditions", ""),
            young_people=young_people,
            persons_of_concern=pocs,
            risks=risks,
            link_kind=data.get("link_kind", AssociationKind.ASSOCIATE),
            link_reliability=data.get("link_reliability", Reliability.UNCONFIRMED),
            handling_agencies=list(data.get("handling_agencies") or []),
        )
        # Check the whole concern even when some answers are already wrong, so that the user
        # sees every problem at once rather than one screen at a time.
        already_wrong = set(self.errors)
        try:
            concern_validate(candidate)
        except ValidationError as exc:
            field_map = {"risks": "categories", "young_people": "yp_1"}
            for name, messages in exc.message_dict.items():
                target = field_map.get(name, name)
                if target in already_wrong:
                    continue
                for message in messages:
                    self.add_error(target if target in self.fields else None, message)
        self.input = None if self.errors else candidate
        return data
