"""URL routes of the platform."""

from django.contrib import admin
from django.urls import include, path

from microdegree.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("microdegree.institutions.urls")),
    path("", include("microdegree.catalog.urls")),
    path("", include("microdegree.issuing.urls")),
    path("", include("microdegree.bulk.urls")),
    path("", include("microdegree.verification.urls")),
    path("", include("microdegree.records.urls")),
]
