from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from waymark.concerns.selectors import concern_list_recent_by, young_people_recorded_about_by

from .forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/dashboard.html",
        {
            "recent_concerns": concern_list_recent_by(user=request.user, limit=10),
            "young_people": young_people_recorded_about_by(user=request.user, limit=12),
        },
    )
