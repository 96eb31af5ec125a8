"""Catalogue routes: public achievement URLs and the staff pages under /catalog/<institution>/."""

from django.urls import path

from microdegree.catalog import staff_views, views

app_name = "catalog"

_version = "achievements/<slug:inst_slug>/<slug:def_slug>/v<int:number>"
_staff = "catalog/<slug:inst_slug>"

urlpatterns = [
    path("achievements/<slug:inst_slug>/<slug:def_slug>", views.achievement_latest,
         name="achievement-latest"),
    path(_version, views.achievement_version, name="achievement"),
    path(f"{_version}/image.svg", views.achievement_image_svg, name="achievement-image-svg"),
    path(f"{_version}/image.png", views.achievement_image_png, name="achievement-image-png"),
    path("competencies/<slug:inst_slug>/<int:pk>", views.competency_page, name="competency"),
    path(f"{_staff}/", staff_views.definition_list, name="definition-list"),
    path(f"{_staff}/new", staff_views.definition_new, name="definition-new"),
    path(f"{_staff}/competencies/", staff_views.competency_list, name="competency-list"),
    path(f"{_staff}/competencies/<int:pk>", staff_views.competency_edit,
         name="competency-edit"),
    path(f"{_staff}/<slug:def_slug>/", staff_views.definition_edit, name="definition-edit"),
    path(f"{_staff}/<slug:def_slug>/rule", staff_views.definition_rule, name="definition-rule"),
    path(f"{_staff}/<slug:def_slug>/image", staff_views.definition_image,
         name="definition-image"),
]
