"""URL routes of microdegree.obapi: the Open Badges API under /ims/ob/v3p0/ and the learner's
pages under /me/ (Connected apps, pulling from another host)."""

from django.urls import path, re_path
from oauth2_provider import views as oauth_views

from microdegree.api_layer import urlpatterns_of
from microdegree.obapi import api, views

app_name = "obapi"

P = "ims/ob/v3p0/"

urlpatterns = [
    # the OB API's operations (discovery, credentials, profile): a ninja API, obapi/api.py
    path("", urlpatterns_of(api.api)),
    path(f"{P}register", api.register_endpoint, name="register"),
    path(f"{P}authorize", views.ConsentView.as_view(), name="authorize"),
    path(f"{P}authorize/resume", views.resume_authorize, name="authorize-resume"),
    path(f"{P}token", oauth_views.TokenView.as_view(), name="token"),
    path(f"{P}revoke", oauth_views.RevokeTokenView.as_view(), name="revoke"),
    path(f"{P}privacy", views.privacy, name="privacy"),
    re_path(r"^ims/ob/v3p0/(?P<rest>.*)$", api.not_found),
    path("me/apps/", views.connected_apps, name="connected-apps"),
    path("me/connect/", views.pull, name="pull"),
    path("me/connect/callback", views.pull_callback, name="pull-callback"),
]
