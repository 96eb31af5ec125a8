"""Bulk issuance routes: staff pages and the JSON API."""

from django.urls import path

from microdegree.bulk import views

app_name = "bulk"

_staff = "institutions/<slug:slug>/bulk"

urlpatterns = [
    path(f"{_staff}/", views.job_list, name="list"),
    path(f"{_staff}/example.csv", views.sample_csv, name="sample"),
    path(f"{_staff}/upload/<slug:definition>/", views.upload, name="upload"),
    path(f"{_staff}/<uuid:job>/", views.job_page, name="job"),
    path(f"{_staff}/<uuid:job>/progress.json", views.job_progress, name="progress"),
    path(f"{_staff}/<uuid:job>/rejected.csv", views.rejected_csv, name="rejected"),
    path(f"{_staff}/<uuid:job>/<str:action>/", views.job_action, name="action"),
    # the JSON API (/api/v1/institutions/<slug>/bulk-jobs/...) is a ninja router (bulk/api.py)
    # of the platform API, microdegree.web.apis
]
