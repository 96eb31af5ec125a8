"""The routes the obapi tests need (independent of pages other apps are still changing)."""

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("microdegree.institutions.urls")),
    path("", include("microdegree.issuing.urls")),
    path("", include("microdegree.verification.urls")),
    path("", include("microdegree.records.urls")),
    path("", include("microdegree.obapi.urls")),
    # the served OpenAPI document every API answer is checked against (tests/_openapi_support.py)
    path("", include("microdegree.vcapi.urls")),
]
