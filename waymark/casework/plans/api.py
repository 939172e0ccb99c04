"""The context plan over the API, nested under /api/cases/<reference>/: the plan, its goals,
its actions and the goals' measures. Thin: selectors read, services write."""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.accounts.models import Agency, User
from waymark.core.api import service_errors

from ..assessments.api import CHANGE, FIELD_ERRORS, VIEW, case_for_api
from ..models import Action, AssessmentArea, ContextCase, ContextPlan, Goal, GoalMeasure, Partner
from .selectors import (
    GoalRow,
    action_is_overdue,
    action_list_for_case,
    owner_label,
    plan_get_for_case,
    plan_section_for,
)
from .serializers import (
    ActionCreateSerializer,
    ActionSerializer,
    ActionUpdateSerializer,
    GoalCreateSerializer,
    GoalSerializer,
    MeasureCreateSerializer,
    MeasureSerializer,
    PlanCreateSerializer,
    PlanSerializer,
)
from .services import action_add, action_update, context_plan_create, goal_add, goal_measure_record


def _plan(request: Request, case: ContextCase) -> ContextPlan:
    plan = plan_get_for_case(user=request.user, case=case)
    if plan is None:
        raise NotFound("This case has no context plan yet")
    return plan


def _goal(plan: ContextPlan, pk: int) -> Goal:
    goal = Goal.objects.filter(plan=plan, pk=pk).first()
    if goal is None:
        raise ValidationError({"goal": [f"This plan has no goal with the id {pk}"]})
    return goal


def action_data(action: Action) -> dict[str, Any]:
    return {
        "id": action.pk,
        "goal_id": action.goal_id,
        "description": action.description,
        "owner_kind": action.owner_kind,
        "owner_agency_id": action.owner_agency_id,
        "owner_worker_id": action.owner_worker_id,
        "owner_partner_id": action.owner_partner_id,
        "owner": owner_label(action),
        "due_on": action.due_on,
        "status": action.status,
        "completed_on": action.completed_on,
        "evidence": action.evidence,
        "relevant_to_children": action.relevant_to_children,
        "overdue": action_is_overdue(action, timezone.localdate()),
    }


def goal_data(row: GoalRow) -> dict[str, Any]:
    return {
        "id": row.goal.pk,
        "outcome": row.goal.outcome,
        "finding": row.goal.finding_id,
        "finding_title": row.finding_title,
        "indicator": row.goal.indicator,
        "indicators": row.indicators,
        "actions": [action_data(r.action) for r in row.actions],
    }


def plan_data(request: Request, case: ContextCase) -> dict[str, Any]:
    section = plan_section_for(user=request.user, case=case)
    if section is None or section.plan is None:
        raise NotFound("This case has no context plan yet")
    case.refresh_from_db(fields=["next_review_on"])
    return {
        "case": case.reference,
        "started_on": section.plan.started_on,
        "summary": section.plan.summary,
        "next_review_on": case.next_review_on,
        "goals": [goal_data(g) for g in section.goals],
    }


class PlanView(GenericAPIView):
    """The case's context plan with its goals, actions and indicators; and agreeing it."""

    required_permissions = {"GET": VIEW, "POST": CHANGE}
    serializer_class = PlanSerializer

    @extend_schema(operation_id="cases_plan_retrieve", responses=PlanSerializer)
    def get(self, request: Request, reference: str) -> Response:
        case = case_for_api(request, reference)
        return Response(PlanSerializer(plan_data(request, case)).data)

    @extend_schema(
        operation_id="cases_plan_create",
        request=PlanCreateSerializer,
        responses={201: PlanSerializer, 400: FIELD_ERRORS},
    )
    def post(self, request: Request, reference: str) -> Response:
        case = case_for_api(request, reference)
        payload = PlanCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            context_plan_create(actor=request.user, case=case, **payload.validated_data)
        return Response(
            PlanSerializer(plan_data(request, case)).data, status=status.HTTP_201_CREATED
        )


class GoalListView(GenericAPIView):
    """The plan's goals; and adding one, derived from an assessment finding."""

    required_permissions = {"GET": VIEW, "POST": CHANGE}
    serializer_class = GoalSerializer

    @extend_schema(operation_id="cases_goals_list", responses=GoalSerializer(many=True))
    def get(self, request: Request, reference: str) -> Response:
        case = case_for_api(request, reference)
        _plan(request, case)
        section = plan_section_for(user=request.user, case=case)
        goals = section.goals if section else []
        return Response(GoalSerializer([goal_data(g) for g in goals], many=True).data)

    @extend_schema(
        operation_id="cases_goals_create",
        request=GoalCreateSerializer,
        responses={201: GoalSerializer, 400: FIELD_ERRORS},
    )
    def post(self, request: Request, reference: str) -> Response:
        case = case_for_api(request, reference)
        plan = _plan(request, case)
        payload = GoalCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        finding_id = data.pop("finding")
        finding = (
            AssessmentArea.objects.filter(pk=finding_id).first() if finding_id is not None else None
        )
        if finding_id is not None and finding is None:
            raise ValidationError(
                {"finding": ["Choose a finding from a completed assessment of this case"]}
            )
        with service_errors():
            goal = goal_add(actor=request.user, plan=plan, finding=finding, **data)
        section = plan_section_for(user=request.user, case=case)
        row = next(g for g in (section.goals if section else []) if g.goal.pk == goal.pk)
        return Response(GoalSerializer(goal_data(row)).data, status=status.HTTP_201_CREATED)


def _owner(model: type[Any], pk: int | None, field: str, noun: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [f"There is no {noun} with the id {pk}"]})
    return found


class ActionListView(GenericAPIView):
    """The plan's actions, soonest due first; and adding one to a goal, with its owner."""

    required_permissions = {"GET": VIEW, "POST": CHANGE}
    serializer_class = ActionSerializer

    @extend_schema(operation_id="cases_actions_list", responses=ActionSerializer(many=True))
    def get(self, request: Request, reference: str) -> Response:
        case = case_for_api(request, reference)
        actions = action_list_for_case(user=request.user, case=case)
        return Response(ActionSerializer([action_data(a) for a in actions], many=True).data)

    @extend_schema(
        operation_id="cases_actions_create",
        request=ActionCreateSerializer,
        responses={201: ActionSerializer, 400: FIELD_ERRORS},
    )
    def post(self, request: Request, reference: str) -> Response:
        case = case_for_api(request, reference)
        plan = _plan(request, case)
        payload = ActionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        goal = _goal(plan, data.pop("goal"))
        owners = {
            "owner_agency": _owner(Agency, data.pop("owner_agency"), "owner_agency", "agency"),
            "owner_worker": _owner(User, data.pop("owner_worker"), "owner_worker", "worker"),
            "owner_partner": _owner(
                Partner, data.pop("owner_partner"), "owner_partner", "partner organisation"
            ),
        }
        with service_errors():
            action = action_add(actor=request.user, goal=goal, **owners, **data)
        return Response(ActionSerializer(action_data(action)).data, status=status.HTTP_201_CREATED)


class ActionDetailView(GenericAPIView):
    """One action; and recording its progress (done needs evidence of completion)."""

    required_permissions = {"GET": VIEW, "PATCH": CHANGE}
    serializer_class = ActionSerializer

    def _action(self, request: Request, reference: str, pk: int) -> Action:
        case = case_for_api(request, reference)
        found = action_list_for_case(user=request.user, case=case).filter(pk=pk).first()
        if found is None:
            raise NotFound("This case's plan has no action with that id")
        return found

    @extend_schema(operation_id="cases_actions_retrieve", responses=ActionSerializer)
    def get(self, request: Request, reference: str, pk: int) -> Response:
        return Response(ActionSerializer(action_data(self._action(request, reference, pk))).data)

    @extend_schema(
        operation_id="cases_actions_update",
        request=ActionUpdateSerializer,
        responses={200: ActionSerializer, 400: FIELD_ERRORS},
    )
    def patch(self, request: Request, reference: str, pk: int) -> Response:
        action = self._action(request, reference, pk)
        payload = ActionUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            action = action_update(actor=request.user, action=action, **payload.validated_data)
        return Response(ActionSerializer(action_data(action)).data)


class MeasureListView(GenericAPIView):
    """Measures of the plan's goals, oldest first; and recording one."""

    required_permissions = {"GET": VIEW, "POST": CHANGE}
    serializer_class = MeasureSerializer

    @extend_schema(operation_id="cases_measures_list", responses=MeasureSerializer(many=True))
    def get(self, request: Request, reference: str) -> Response:
        case = case_for_api(request, reference)
        plan = _plan(request, case)
        measures = GoalMeasure.objects.filter(goal__plan=plan).order_by("measured_on", "id")
        return Response(MeasureSerializer(measures, many=True).data)

    @extend_schema(
        operation_id="cases_measures_create",
        request=MeasureCreateSerializer,
        responses={201: MeasureSerializer, 400: FIELD_ERRORS},
    )
    def post(self, request: Request, reference: str) -> Response:
        case = case_for_api(request, reference)
        plan = _plan(request, case)
        payload = MeasureCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        goal = _goal(plan, data.pop("goal"))
        with service_errors():
            measure = goal_measure_record(actor=request.user, goal=goal, **data)
        return Response(MeasureSerializer(measure).data, status=status.HTTP_201_CREATED)
