"""What each role may do, as scoped permissions.

A permission's codename carries its scope: `view_assigned_youngperson` lets a user see young
people their agency is involved with; `view_all_youngperson` lets them see every young person.
The need-to-know rules read these scopes; nothing checks a role name directly.
"""

from .models import Role

PRACTITIONER = {
    "people.view_assigned_youngperson",
    "people.add_youngperson",
    "people.change_assigned_youngperson",
    "people.breakglass_youngperson",
    "people.view_personofconcern",
    "people.add_personofconcern",
    "people.add_personflag",
    "contexts.view_place",
    "contexts.add_place",
    "contexts.view_ward",
    "concerns.view_assigned_concern",
    "concerns.add_concern",
    "concerns.view_assigned_association",
    "concerns.add_association",
    "accounts.view_agency",
    "contexts.view_peer_network",
    "contexts.view_peergroup",
    "contexts.add_peergroup",
    "contexts.change_peergroup",
    "contexts.view_peeralert",
    "contexts.change_peeralert",
    # Recording is not reading (ADR 0010): notices of new information about the young people
    # their agency is involved with, links held for review, and asking to become involved.
    "concerns.view_concernnotice",
    "concerns.change_concernnotice",
    "concerns.review_association",
    "people.add_involvementrequest",
    # Context cases are about places, groups and spaces, and are seen across the partnership;
    # the children linked to them are named only where the viewer may see their records.
    "casework.view_contextcase",
    "casework.add_contextcase",
    "casework.change_contextcase",
    "casework.view_partner",
    # The people at partner organisations are personal data: not for analysts.
    "casework.view_partnercontact",
    "casework.add_partner",
    "casework.change_partner",
    "contexts.view_onlinespace",
    "contexts.add_onlinespace",
    "contexts.view_neighbourhood",
    "contexts.add_neighbourhood",
}

MANAGER = PRACTITIONER | {
    "accounts.view_agency_users",
    # Enrolment codes for their own agency's users, to set up two-factor authentication.
    "accounts.add_agency_enrolmentcode",
    "people.view_accesslog_youngperson",
    "people.manage_involvement",
    "people.change_involvementrequest",
}

ANALYST = {
    "contexts.view_place",
    "contexts.view_ward",
    "people.view_pseudonymised_youngperson",
    "concerns.view_pseudonymised_concern",
    "accounts.view_agency",
    "contexts.view_peer_network",
    "contexts.view_peergroup",
    "casework.view_contextcase",
    "casework.view_partner",
    "contexts.view_onlinespace",
    "contexts.view_neighbourhood",
}

# A panel chair sees what their own agency's involvement allows, like any practitioner: being
# a chair is not a reason to see every child. Panel agendas bring the records a panel needs.
PANEL_CHAIR = PRACTITIONER | {
    "people.view_accesslog_youngperson",
}

ADMINISTRATOR = {
    "accounts.view_agency",
    "accounts.add_agency",
    "accounts.add_user",
    "accounts.view_agency_users",
    "accounts.add_all_enrolmentcode",
    "contexts.view_place",
    "contexts.add_place",
    "contexts.view_ward",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.PRACTITIONER: frozenset(PRACTITIONER),
    Role.MANAGER: frozenset(MANAGER),
    Role.ANALYST: frozenset(ANALYST),
    Role.PANEL_CHAIR: frozenset(PANEL_CHAIR),
    Role.ADMINISTRATOR: frozenset(ADMINISTRATOR),
}
