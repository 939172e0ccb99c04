from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)
from rest_framework import routers
from rest_framework.permissions import IsAuthenticated

from waymark.accounts.api import (
    AgencyViewSet,
    TokenRevokeAllView,
    TokenRevokeView,
    obtain_auth_token,
)
from waymark.casework.cases.api import ContextCaseViewSet, OnlineSpaceViewSet
from waymark.casework.partners.api import PartnerViewSet
from waymark.casework.urls import assessment_and_plan_api
from waymark.concerns.api import (
    AssociationViewSet,
    ConcernViewSet,
    YoungPersonAssociationsView,
    YoungPersonConcernsView,
)
from waymark.concerns.review_api import ConcernNoticeViewSet, HeldLinkViewSet
from waymark.contexts.peer_groups.api import (
    PeerAlertViewSet,
    PeerGroupDetailView,
    PeerGroupKeyConnectionsView,
    PeerGroupListView,
    SavedPeerGroupViewSet,
    YoungPersonNetworkView,
)
from waymark.contexts.place_analysis.api import (
    CellView,
    EmergingGeoJSONView,
    EmergingView,
    HotspotsGeoJSONView,
    HotspotsView,
    NearRepeatView,
    SharedContextsView,
    TimeProfileView,
)
from waymark.contexts.places.api import PlaceViewSet, WardViewSet
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
router.register("notices", ConcernNoticeViewSet, basename="concern-notice")
router.register("held-links", HeldLinkViewSet, basename="held-link")
router.register("peer-groups/saved", SavedPeerGroupViewSet, basename="saved-peer-group")
router.register("peer-alerts", PeerAlertViewSet, basename="peer-alert")
# Partners (see casework/partners/api.py).
router.register("partners", PartnerViewSet, basename="partner")
# Context cases and online spaces.
router.register("cases", ContextCaseViewSet, basename="case")
router.register("online-spaces", OnlineSpaceViewSet, basename="online-space")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script from this origin, which the CSP allows.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("token/", obtain_auth_token, name="token"),
    path("token/revoke/", TokenRevokeView.as_view(), name="token-revoke"),
    path("token/revoke-all/", TokenRevokeAllView.as_view(), name="token-revoke-all"),
    # The analysis of places: aggregates over concerns, by H3 cell (see contexts/place_analysis/api.py).
    path(
        "place-analysis/hotspots/",
        HotspotsView.as_view(),
        name="place-analysis-hotspots",
    ),
    path(
        "place-analysis/hotspots/geojson/",
        HotspotsGeoJSONView.as_view(),
        name="place-analysis-hotspots-geojson",
    ),
    path(
        "place-analysis/emerging-hotspots/",
        EmergingView.as_view(),
        name="place-analysis-emerging-hotspots",
    ),
    path(
        "place-analysis/emerging-hotspots/geojson/",
        EmergingGeoJSONView.as_view(),
        name="place-analysis-emerging-hotspots-geojson",
    ),
    path(
        "place-analysis/near-repeat/",
        NearRepeatView.as_view(),
        name="place-analysis-near-repeat",
    ),
    path(
        "place-analysis/shared-contexts/",
        SharedContextsView.as_view(),
        name="place-analysis-shared-contexts",
    ),
    path(
        "place-analysis/time-profile/",
        TimeProfileView.as_view(),
        name="place-analysis-time-profile",
    ),
    path("place-analysis/cells/<str:cell>/", CellView.as_view(), name="place-analysis-cell"),
    # Peer groups and peer maps (see contexts/peer_groups/api.py).
    path("peer-groups/", PeerGroupListView.as_view(), name="peer-group-list"),
    path(
        "peer-groups/key-connections/",
        PeerGroupKeyConnectionsView.as_view(),
        name="peer-group-key-connections",
    ),
    path("peer-groups/<int:number>/", PeerGroupDetailView.as_view(), name="peer-group-detail"),
    path(
        "young-people/<str:reference>/concerns/",
        YoungPersonConcernsView.as_view(),
        name="young-person-concerns",
    ),
    path(
        "young-people/<str:reference>/associations/",
        YoungPersonAssociationsView.as_view(),
        name="young-person-associations",
    ),
    path(
        "young-people/<str:reference>/network/",
        YoungPersonNetworkView.as_view(),
        name="young-person-network",
    ),
    *router.urls,
]

# Context cases: assessments and context plans (waymark/casework/urls.py).
urlpatterns += assessment_and_plan_api
