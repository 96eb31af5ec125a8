"""URL routes of microdegree.recognition: staff pages under the institution, the learner's
applications under /me/credit/, the public "What is it worth?" page (its JSON endpoint,
`POST /api/worth`, is a ninja router in `recognition/api.py`, mounted by microdegree.web.apis)."""

from django.urls import path

from microdegree.recognition import views

app_name = "recognition"
_staff = "institutions/<slug:inst_slug>"
_program = f"{_staff}/programs/<slug:program_slug>"

urlpatterns = [
    path("worth", views.worth, name="worth"),
    path("programs/<slug:inst_slug>/<slug:program_slug>", views.program_public,
         name="program-public"),
    path(f"{_staff}/programs/", views.program_list, name="programs"),
    path(f"{_staff}/programs/notices/<int:pk>/read", views.notice_read, name="notice-read"),
    path(f"{_program}/", views.program_edit, name="program"),
    path(f"{_program}/delete", views.program_delete, name="program-delete"),
    path(f"{_program}/modules/", views.module_add, name="module-add"),
    path(f"{_program}/modules/<int:pk>/delete", views.module_remove, name="module-remove"),
    path(f"{_program}/agreements/new", views.agreement_edit, name="agreement-new"),
    path(f"{_program}/agreements/<int:pk>/", views.agreement_edit, name="agreement"),
    path(f"{_program}/agreements/<int:pk>/delete", views.agreement_delete,
         name="agreement-delete"),
    path(f"{_staff}/applications/", views.queue, name="queue"),
    path(f"{_staff}/applications/<uuid:app_uuid>", views.application_staff,
         name="application-staff"),
    path("me/credit/", views.my_applications, name="my-applications"),
    path("me/credit/apply", views.apply, name="apply"),
    path("me/credit/<uuid:app_uuid>", views.my_application, name="my-application"),
    path("me/credit/<uuid:app_uuid>/submit", views.submit, name="submit"),
    path("me/credit/<uuid:app_uuid>/withdraw", views.withdraw, name="withdraw"),
]
