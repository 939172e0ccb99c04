"""Routes of the assessment and context plan pages and API, added to `waymark/web/urls.py` and
`waymark/web/api_urls.py` (casework sits below web, so web includes these lists)."""

from django.urls import path

from .assessments.api import AssessmentDetailView, AssessmentListView
from .assessments.views import assessment_detail, assessment_new
from .outcomes.api import CaseOutcomeView
from .outcomes.views import case_outcomes
from .plans.api import ActionDetailView, ActionListView, GoalListView, MeasureListView, PlanView
from .plans.views import action_new, action_update_page, goal_new, measure_new, plan_page

assessment_and_plan_pages = [
    path("cases/<str:reference>/assessments/new/", assessment_new, name="case-assessment-new"),
    path(
        "cases/<str:reference>/assessments/<int:number>/",
        assessment_detail,
        name="case-assessment-detail",
    ),
    path("cases/<str:reference>/plan/", plan_page, name="case-plan"),
    path("cases/<str:reference>/plan/goals/new/", goal_new, name="case-goal-new"),
    path(
        "cases/<str:reference>/plan/goals/<int:pk>/actions/new/",
        action_new,
        name="case-action-new",
    ),
    path(
        "cases/<str:reference>/plan/actions/<int:pk>/",
        action_update_page,
        name="case-action-update",
    ),
    path(
        "cases/<str:reference>/plan/goals/<int:pk>/measures/new/",
        measure_new,
        name="case-measure-new",
    ),
    path("cases/<str:reference>/outcomes/", case_outcomes, name="case-outcomes"),
]

assessment_and_plan_api = [
    path(
        "cases/<str:reference>/assessments/",
        AssessmentListView.as_view(),
        name="case-assessment-list",
    ),
    path(
        "cases/<str:reference>/assessments/<int:number>/",
        AssessmentDetailView.as_view(),
        name="case-assessment-detail",
    ),
    path("cases/<str:reference>/plan/", PlanView.as_view(), name="case-plan"),
    path("cases/<str:reference>/goals/", GoalListView.as_view(), name="case-goal-list"),
    path("cases/<str:reference>/actions/", ActionListView.as_view(), name="case-action-list"),
    path(
        "cases/<str:reference>/actions/<int:pk>/",
        ActionDetailView.as_view(),
        name="case-action-detail",
    ),
    path("cases/<str:reference>/measures/", MeasureListView.as_view(), name="case-measure-list"),
    path("cases/<str:reference>/outcomes/", CaseOutcomeView.as_view(), name="case-outcomes"),
]
