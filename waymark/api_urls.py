from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)
from rest_framework import routers
from rest_framework.permissions import IsAuthenticated

from waymark.accounts.api import AgencyViewSet, obtain_auth_token
from waymark.concerns.api import AssociationViewSet, ConcernViewSet
from waymark.contexts.api import PlaceViewSet, WardViewSet
from waymark.people.api import PersonOfConcernViewSet, YoungPersonViewSet


class ApiRootView(routers.APIRootView):
    # The root lists endpoint addresses and no records, so any signed-in user may read it.
    permission_classes = [IsAuthenticated]


class WaymarkRouter(routers.DefaultRouter):
    APIRootView = ApiRootView


# Namespaced, so that "api:concern-detail" and the web page "concern-detail" never collide.
app_name = "api"

router = WaymarkRouter()
router.register("agencies", AgencyViewSet, basename="agency")
router.register("wards", WardViewSet, basename="ward")
router.register("places", PlaceViewSet, basename="place")
router.register("young-people", YoungPersonViewSet, basename="young-person")
router.register("persons-of-concern", PersonOfConcernViewSet, basename="person-of-concern")
router.register("concerns", ConcernViewSet, basename="concern")
router.register("associations", AssociationViewSet, basename="association")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script from this origin, which the CSP allows.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("token/", obtain_auth_token, name="token"),
    *router.urls,
]
