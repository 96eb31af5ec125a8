"""Site routes: home, sign-in, the staff dashboard, an institution's overview, registration.

No app namespace: django.contrib.auth's views reverse their own global names ("login", ...).
"""

from django.urls import include, path

from microdegree.web import views
from microdegree.web.password_reset import PasswordResetView

urlpatterns = [
    path("", views.home, name="home"),
    # Before Django's own: the reset link from the public URL, and a rate limit.
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("institutions/register", views.register, name="institution-register"),
    path("institutions/<slug:slug>/", views.institution_overview, name="institution-overview"),
    path("institutions/<slug:slug>/approve", views.approve, name="institution-approve"),
    path("institutions/<slug:slug>/settings", views.institution_settings,
         name="institution-settings"),
    path("institutions/<slug:slug>/api-tokens/", views.api_tokens,
         name="institution-api-tokens"),
]
