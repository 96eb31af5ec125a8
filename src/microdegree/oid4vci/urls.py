"""OpenID4VCI routes: the API (well-known documents, offers, token, nonce, credential) and the
learner's pages."""

from django.urls import path

from microdegree.oid4vci import views
from microdegree.oid4vci.api import api

_routes, _app_name, _namespace = api.urls
urlpatterns = [
    path("oid4vci/authorize", views.WalletConsentView.as_view(), name="oid4vci-authorize"),
    path("oid4vci/authorize/resume", views.resume_authorize, name="oid4vci-authorize-resume"),
    path("oid4vci/offers/<str:token>/qr.svg", views.offer_qr, name="oid4vci-offer-qr"),
    path("me/credentials/<str:key>/oid4vci", views.offer_page, name="oid4vci-offer-page"),
    # ninja's "api-root" view at "" is left out: it would shadow the home page
    path("", ([r for r in _routes if r.name != "api-root"], _app_name, _namespace)),
]
