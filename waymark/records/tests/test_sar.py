import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from waymark.accounts.tests.factories import UserFactory
from waymark.audit.models import AuditEvent, ShareRecord
from waymark.audit.selectors import audit_chain_verify
from waymark.concerns.tests.factories import concern_make
from waymark.people.models import Involvement
from waymark.people.services import break_glass_open, young_person_update
from waymark.people.tests.factories import PersonOfConcernFactory, YoungPersonFactory
from waymark.records.sar import redaction_marker, subject_access_export

pytestmark = pytest.mark.django_db

OTHER_FAMILY_NAME = "Quennell-Ashdown"
POC_NAME = "Dean Ashcombe"


@pytest.fixture
def subject(agency):
    return YoungPersonFactory(
        created_by_agency=agency,
        given_name="Jordan",
        family_name="Okafor",
        own_words="I feel safe at the boxing club.",
        strengths="Loyal to friends, good at football",
    )


@pytest.fixture
def other_child(agency):
    return YoungPersonFactory(
        created_by_agency=agency, given_name="Kai", family_name=OTHER_FAMILY_NAME
    )


@pytest.fixture
def story(practitioner, outsider, subject, other_child):
    poc = PersonOfConcernFactory(names=POC_NAME, nicknames="Deano")
    concern = concern_make(
        actor=practitioner,
        young_people=[subject, (other_child, "witness")],
        persons_of_concern=[poc],
        narrative=f"Jordan was seen with Kai {OTHER_FAMILY_NAME} and Deano near the bus station. "
        f"{OTHER_FAMILY_NAME} ran off.",
    )
    own = concern_make(
        actor=practitioner, young_people=[subject], narrative="Jordan missed school all week."
    )
    young_person_update(actor=practitioner, young_person=subject, known_as="Jojo")
    break_glass_open(actor=outsider, young_person=subject, reason="Found at the station at 2am")
    return {"poc": poc, "concern": concern, "own": own}


def _export(manager, subject, tmp_path):
    return subject_access_export(actor=manager, reference=subject.reference, out_dir=tmp_path)


def test_the_export_holds_the_young_persons_own_data_and_access_log(
    manager, subject, story, tmp_path
):
    export = _export(manager, subject, tmp_path)
    doc = json.loads(export.json_path.read_text(encoding="utf-8"))
    html = export.html_path.read_text(encoding="utf-8")

    person = doc["young_person"]
    assert (person["given_name"], person["family_name"], person["known_as"]) == (
        "Jordan",
        "Okafor",
        "Jojo",
    )
    assert person["own_words"]["text"] == "I feel safe at the boxing club."
    refs = [c["reference"] for c in doc["concerns"]]
    assert sorted(refs) == sorted([story["concern"].reference, story["own"].reference])
    own = next(c for c in doc["concerns"] if c["reference"] == story["own"].reference)
    assert own["narrative"] == {"text": "Jordan missed school all week.", "redaction_review": False}
    assert doc["involvements"] and doc["break_glass"]
    assert doc["break_glass"][0]["reason"]["text"] == "Found at the station at 2am"
    log = {(e["action"], e["record"]) for e in doc["access_log"]}
    assert ("Changed", f"Young person {subject.reference}") in log
    assert ("Created", f"Concern {story['concern'].reference}") in log
    assert any(e["record"].startswith("Break-glass") for e in doc["access_log"])
    for text in ("Okafor", "I feel safe at the boxing club.", story["own"].reference, "Access log"):
        assert text in html
    assert '<html lang="en-GB">' in html
    assert "http://" not in html and "https://" not in html  # no external assets


def test_third_parties_appear_only_as_redaction_markers(
    manager, subject, other_child, story, tmp_path
):
    export = _export(manager, subject, tmp_path)
    raw_json = export.json_path.read_text(encoding="utf-8")
    html = export.html_path.read_text(encoding="utf-8")
    doc = json.loads(raw_json)

    for output in (raw_json, html):
        assert OTHER_FAMILY_NAME not in output
        assert POC_NAME not in output
        assert "Deano" not in output
        assert redaction_marker(other_child.reference) in output
        assert redaction_marker(story["poc"].reference) in output
    shared = next(c for c in doc["concerns"] if c["reference"] == story["concern"].reference)
    assert shared["narrative"]["redaction_review"] is True
    assert shared["narrative"]["text"].startswith(
        f"Jordan was seen with {redaction_marker(other_child.reference)} and "
        f"{redaction_marker(story['poc'].reference)}"
    )
    assert shared["other_young_people"] == [
        {"person": redaction_marker(other_child.reference), "role": "Witness"}
    ]
    assert {a["with"] for a in doc["associations"]} == {
        redaction_marker(other_child.reference),
        redaction_marker(story["poc"].reference),
    }
    assert doc["redaction"]["items_for_review"] >= 1


def test_the_export_is_recorded_in_the_share_log_and_audited(manager, subject, story, tmp_path):
    _export(manager, subject, tmp_path)
    share = ShareRecord.objects.get()
    assert share.lawful_basis == "art6_1_c"
    assert share.shared_objects == [f"people.youngperson:{subject.pk}"]
    assert share.shared_by == manager
    event = AuditEvent.objects.filter(
        action="export", object_type="people.youngperson", object_id=str(subject.pk)
    ).get()
    assert event.actor == manager and "Subject access" in event.purpose
    assert audit_chain_verify().intact


def test_a_practitioner_without_the_permission_is_refused(practitioner, subject, tmp_path):
    with pytest.raises(PermissionDenied):
        subject_access_export(actor=practitioner, reference=subject.reference, out_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert not ShareRecord.objects.exists()


def test_a_manager_of_an_uninvolved_agency_is_told_not_found(outside_manager, subject, tmp_path):
    with pytest.raises(ValidationError, match="that you may see"):
        subject_access_export(actor=outside_manager, reference=subject.reference, out_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_export_is_never_overwritten(manager, subject, tmp_path):
    (tmp_path / f"{subject.reference}.html").write_text("reviewed copy")
    with pytest.raises(ValidationError, match="already exists"):
        _export(manager, subject, tmp_path)
    assert (tmp_path / f"{subject.reference}.html").read_text() == "reviewed copy"
    assert not ShareRecord.objects.exists()


def test_a_c_concern_outside_the_managers_audience_is_left_out(
    manager, subject, story, tmp_path, other_agency
):
    Involvement.objects.create(
        agency=other_agency,
        young_person=subject,
        source="manager",
        purpose="Working with the child",
        lawful_basis="dpa_part3",
    )
    officer = UserFactory(agency=other_agency, role="practitioner")
    secret = concern_make(
        actor=officer,
        young_people=[subject],
        narrative="Covert operation at the arcade: do not share.",
        handling_code="C",
        handling_conditions="Police operation",
    )
    export = _export(manager, subject, tmp_path)
    doc = json.loads(export.json_path.read_text(encoding="utf-8"))
    html = export.html_path.read_text(encoding="utf-8")
    assert secret.reference not in [c["reference"] for c in doc["concerns"]]
    assert story["own"].reference in [c["reference"] for c in doc["concerns"]]
    assert "Covert operation" not in html and secret.reference not in html
