"""Catalogue routes: public achievement URLs, the public JSON catalogue, and staff pages."""

from django.urls import path

from microdegree.catalog import api, staff_views, views

app_name = "catalog"

_version = "achievements/<slug:inst_slug>/<slug:def_slug>/v<int:number>"
_staff = "institutions/<slug:inst_slug>"

urlpatterns = [
    path("achievements/<slug:inst_slug>/<slug:def_slug>", views.achievement_latest,
         name="achievement-latest"),
    path(_version, views.achievement_version, name="achievement"),
    path(f"{_version}/image.svg", views.achievement_image_svg, name="achievement-image-svg"),
    path(f"{_version}/image.png", views.achievement_image_png, name="achievement-image-png"),
    path("competencies/<slug:inst_slug>/<int:pk>", views.competency_page, name="competency"),
    path("api/v1/institutions/<slug:inst_slug>/achievements", api.catalogue,
         name="api-catalogue"),
    path(f"{_staff}/achievements/", staff_views.definition_list, name="definition-list"),
    path(f"{_staff}/achievements/new", staff_views.definition_new, name="definition-new"),
    path(f"{_staff}/competencies/", staff_views.competency_list, name="competency-list"),
    path(f"{_staff}/competencies/<int:pk>", staff_views.competency_edit,
         name="competency-edit"),
    path(f"{_staff}/achievements/<slug:def_slug>/", staff_views.definition_edit,
         name="definition-edit"),
    path(f"{_staff}/achievements/<slug:def_slug>/rule", staff_views.definition_rule,
         name="definition-rule"),
    path(f"{_staff}/achievements/<slug:def_slug>/rule/preview",
         staff_views.definition_rule_preview, name="definition-rule-preview"),
    path(f"{_staff}/achievements/<slug:def_slug>/image", staff_views.definition_image,
         name="definition-image"),
]
