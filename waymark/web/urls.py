from django.contrib.auth import views as auth_views
from django.urls import path

from waymark.accounts.views import (
    SignInView,
    enrolment_code_new,
    two_factor,
    two_factor_backup_codes,
    two_factor_set_up,
)
from waymark.casework.cases.views import (
    case_close,
    case_detail,
    case_link_new,
    case_list,
    case_refer,
    case_review_new,
    case_screen,
    case_transfer,
    online_space_detail,
    online_space_new,
)
from waymark.casework.partners.views import (
    partner_actions_csv,
    partner_actions_page,
    partner_contact_new,
    partner_detail,
    partner_edit,
    partner_guardianship_new,
    partner_list,
    partner_new,
    partner_training_new,
)
from waymark.casework.urls import assessment_and_plan_pages
from waymark.concerns.views import (
    association_review_view,
    concern_check,
    concern_detail,
    concern_new,
    concern_notice_dismiss_view,
)
from waymark.contexts.peer_groups.views import (
    peer_alert_acknowledge_view,
    peer_group_list_page,
    peer_group_page,
    peer_group_saved_page,
    young_person_network_page,
)
from waymark.contexts.place_analysis.views import (
    near_repeat_page,
    place_analysis_page,
    place_cell_page,
    shared_contexts_page,
)
from waymark.contexts.places.views import place_detail, place_list, place_new
from waymark.people.views import (
    involvement_end_view,
    involvement_new,
    involvement_request_detail,
    involvement_request_new,
    person_of_concern_new,
    young_person_access,
    young_person_break_glass,
    young_person_new,
)
from waymark.web.dashboard import dashboard
from waymark.web.records import person_of_concern_detail, young_person_detail
from waymark.web.search import search

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("sign-in/", SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-in/two-factor/", two_factor, name="two-factor"),
    path("sign-in/two-factor/set-up/", two_factor_set_up, name="two-factor-set-up"),
    path(
        "sign-in/two-factor/backup-codes/",
        two_factor_backup_codes,
        name="two-factor-backup-codes",
    ),
    path("enrolment-codes/new/", enrolment_code_new, name="enrolment-code-new"),
    path("search/", search, name="search"),
    path("concerns/new/", concern_new, name="concern-new"),
    path("concerns/new/check/", concern_check, name="concern-check"),
    path("concerns/<str:reference>/", concern_detail, name="concern-detail"),
    path("young-people/new/", young_person_new, name="young-person-new"),
    path("young-people/<str:reference>/", young_person_detail, name="young-person-detail"),
    path(
        "young-people/<str:reference>/break-glass/",
        young_person_break_glass,
        name="young-person-break-glass",
    ),
    path("young-people/<str:reference>/access/", young_person_access, name="young-person-access"),
    path(
        "young-people/<str:reference>/network/",
        young_person_network_page,
        name="young-person-network",
    ),
    path(
        "young-people/<str:reference>/involvements/new/",
        involvement_new,
        name="involvement-new",
    ),
    path(
        "young-people/<str:reference>/involvements/<int:pk>/end/",
        involvement_end_view,
        name="involvement-end",
    ),
    path(
        "young-people/<str:reference>/involvement-requests/new/",
        involvement_request_new,
        name="involvement-request-new",
    ),
    path(
        "involvement-requests/<int:pk>/",
        involvement_request_detail,
        name="involvement-request-detail",
    ),
    path("notices/<int:pk>/dismiss/", concern_notice_dismiss_view, name="concern-notice-dismiss"),
    path("links/held/<int:pk>/", association_review_view, name="association-review"),
    path("persons-of-concern/new/", person_of_concern_new, name="person-of-concern-new"),
    path(
        "persons-of-concern/<str:reference>/",
        person_of_concern_detail,
        name="person-of-concern-detail",
    ),
    path("places/", place_list, name="place-list"),
    path("places/new/", place_new, name="place-new"),
    path(
        "alerts/<int:pk>/acknowledge/",
        peer_alert_acknowledge_view,
        name="peer-alert-acknowledge",
    ),
    path("places/at-risk/", place_analysis_page, name="place-analysis"),
    path("places/at-risk/areas/<str:cell>/", place_cell_page, name="place-cell"),
    path("places/shared-contexts/", shared_contexts_page, name="place-shared-contexts"),
    path("places/near-repeats/", near_repeat_page, name="place-near-repeat"),
    path("places/<int:pk>/", place_detail, name="place-detail"),
    path("peer-groups/", peer_group_list_page, name="peer-group-list"),
    path("peer-groups/<int:number>/", peer_group_page, name="peer-group-detail"),
    path(
        "peer-groups/saved/<str:reference>/",
        peer_group_saved_page,
        name="peer-group-saved",
    ),
    # Context cases: referral, screening, transfer, links, reviews and closure.
    path("cases/", case_list, name="case-list"),
    path("cases/refer/", case_refer, name="case-refer"),
    path("cases/<str:reference>/", case_detail, name="case-detail"),
    path("cases/<str:reference>/screening/", case_screen, name="case-screen"),
    path("cases/<str:reference>/transfer/", case_transfer, name="case-transfer"),
    path("cases/<str:reference>/links/new/", case_link_new, name="case-link-new"),
    path("cases/<str:reference>/reviews/new/", case_review_new, name="case-review-new"),
    path("cases/<str:reference>/close/", case_close, name="case-close"),
    path("online-spaces/new/", online_space_new, name="online-space-new"),
    path("online-spaces/<str:reference>/", online_space_detail, name="online-space-detail"),
    # Partners: the register, contacts, guardianships, training, and a partner's actions.
    path("partners/", partner_list, name="partner-list"),
    path("partners/new/", partner_new, name="partner-new"),
    path("partners/<int:pk>/", partner_detail, name="partner-detail"),
    path("partners/<int:pk>/edit/", partner_edit, name="partner-edit"),
    path("partners/<int:pk>/contacts/new/", partner_contact_new, name="partner-contact-new"),
    path(
        "partners/<int:pk>/guardianships/new/",
        partner_guardianship_new,
        name="partner-guardianship-new",
    ),
    path("partners/<int:pk>/training/new/", partner_training_new, name="partner-training-new"),
    path("partners/<int:pk>/actions/", partner_actions_page, name="partner-actions"),
    path("partners/<int:pk>/actions/csv/", partner_actions_csv, name="partner-actions-csv"),
]

# Context cases: assessments and context plans (waymark/casework/urls.py).
urlpatterns += assessment_and_plan_pages
