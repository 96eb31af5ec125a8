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
]
