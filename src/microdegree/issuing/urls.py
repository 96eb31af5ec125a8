"""Issuing routes: staff pages, the JSON API, public status lists and claim links."""

from django.urls import path

from microdegree.issuing import views

app_name = "issuing"

urlpatterns = [
    # public
    path("status/<slug:inst_slug>/<str:purpose>/<int:sequence>", views.status_list,
         name="status-list"),
    path("claim/<str:token>", views.claim, name="claim"),
    # staff pages
    path("institutions/<slug:slug>/credentials/", views.credential_list, name="list"),
    path("institutions/<slug:slug>/credentials/award/<slug:definition>/", views.award,
         name="award"),
    path("institutions/<slug:slug>/credentials/pending/", views.pending_list, name="pending"),
    path("institutions/<slug:slug>/credentials/pending/<int:pk>/<str:decision>/",
         views.pending_decide, name="pending-decide"),
    path("institutions/<slug:slug>/credentials/<uuid:cred>/", views.credential_detail,
         name="detail"),
    path("institutions/<slug:slug>/credentials/<uuid:cred>/credential.json",
         views.credential_json, name="download"),
    path("institutions/<slug:slug>/credentials/<uuid:cred>/reissue/", views.credential_reissue,
         name="reissue"),
    path("institutions/<slug:slug>/credentials/<uuid:cred>/revoke/", views.credential_revoke,
         name="revoke"),
    path("institutions/<slug:slug>/credentials/<uuid:cred>/resend/", views.credential_resend,
         name="resend"),
    path("institutions/<slug:slug>/credentials/<uuid:cred>/<str:action>/",
         views.credential_action, name="action"),
    # The JSON API (/api/v1/institutions/<slug>/credentials, /api/v1/credentials/<uuid>/<action>)
    # is a ninja router (issuing/api.py) of the platform API, microdegree.web.apis.
]
