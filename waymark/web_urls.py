from django.contrib.auth import views as auth_views
from django.urls import path

from waymark.accounts.views import SignInView, dashboard
from waymark.concerns.views import concern_check, concern_detail, concern_new
from waymark.contexts.views import place_detail, place_list, place_new
from waymark.core.views import search
from waymark.people.views import (
    person_of_concern_detail,
    person_of_concern_new,
    young_person_detail,
    young_person_new,
)

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("sign-in/", SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("search/", search, name="search"),
    path("concerns/new/", concern_new, name="concern-new"),
    path("concerns/new/check/", concern_check, name="concern-check"),
    path("concerns/<str:reference>/", concern_detail, name="concern-detail"),
    path("young-people/new/", young_person_new, name="young-person-new"),
    path("young-people/<str:reference>/", young_person_detail, name="young-person-detail"),
    path("persons-of-concern/new/", person_of_concern_new, name="person-of-concern-new"),
    path(
        "persons-of-concern/<str:reference>/",
        person_of_concern_detail,
        name="person-of-concern-detail",
    ),
    path("places/", place_list, name="place-list"),
    path("places/new/", place_new, name="place-new"),
    path("places/<int:pk>/", place_detail, name="place-detail"),
]
