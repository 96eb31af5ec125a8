"""URL routes of the platform."""

from django.contrib import admin
from django.urls import include, path

handler500 = "microdegree.web.faults.server_error"  # JSON for the APIs, 503 when the DB is down

urlpatterns = [
    # First: the VC API is the hot path under load, and its few routes shadow nothing below.
    path("", include("microdegree.vcapi.urls")),
    path("", include("microdegree.web.apis")),  # the ninja routers of the apps under /api/
    path("", include("microdegree.web.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the language switcher
    path("", include("microdegree.institutions.urls")),
    path("", include("microdegree.catalog.urls")),
    path("", include("microdegree.issuing.urls")),
    path("", include("microdegree.bulk.urls")),
    path("", include("microdegree.verification.urls")),
    path("", include("microdegree.records.urls")),
    path("", include("microdegree.obapi.urls")),
    path("", include("microdegree.recognition.urls")),
    path("", include("microdegree.opendata.urls")),
    path("", include("microdegree.oid4vci.urls")),
    path("", include("microdegree.lti.urls")),
    path("", include("microdegree.webhooks.urls")),
]
