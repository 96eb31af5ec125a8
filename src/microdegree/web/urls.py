"""Site routes: home, sign-in, the staff dashboard, an institution's overview, registration.

No app namespace: django.contrib.auth's views reverse their own global names ("login", ...).
"""

from django.urls import include, path

from microdegree.web import staff_views, views
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
    path("institutions/<slug:slug>/staff/", staff_views.staff_page, name="institution-staff"),
    path("institutions/<slug:slug>/staff/<int:member>/role", staff_views.staff_role,
         name="institution-staff-role"),
    path("institutions/<slug:slug>/staff/<int:member>/remove", staff_views.staff_remove,
         name="institution-staff-remove"),
    path("institutions/<slug:slug>/invitations/<int:invitation>/withdraw",
         staff_views.invitation_revoke, name="institution-invitation-revoke"),
    path("institutions/<slug:slug>/audit/", staff_views.audit_log, name="institution-audit"),
    path("invitations/<str:token>", staff_views.invitation_accept, name="invitation-accept"),
]
