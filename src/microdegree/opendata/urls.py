"""URL routes of the open catalogue and the open-data exports (stable: published in exports)."""

from django.urls import path

from microdegree.opendata import views

app_name = "opendata"
urlpatterns = [
    path("catalogue", views.achievements_page, name="catalogue"),
    path("catalogue/institutions", views.institutions_page, name="institutions"),
    path("catalogue/programs", views.programs_page, name="programs"),
    path("catalogue/programs/<slug:inst_slug>/<slug:slug>", views.program_page,
         name="program"),
    path("catalogue/agreements", views.agreements_page, name="agreements"),
    path("catalogue/agreements/<int:pk>", views.agreement_page, name="agreement"),
    path("api/catalogue", views.api_index, name="api-index"),
    path("api/catalogue/<slug:kind>", views.api_list, name="api-list"),
    path("open-data", views.open_data_page, name="open-data"),
    path("open-data/ctdl.jsonld", views.ctdl_export, name="ctdl"),
    path("open-data/ctdl/<slug:ctid>", views.ctdl_resource, name="ctdl-resource"),
    path("open-data/elm.jsonld", views.elm_export, name="elm"),
    path("open-data/microcredentials.csv", views.csv_export, name="csv"),
    path("open-data/dump.json", views.dump_export, name="dump"),
]
