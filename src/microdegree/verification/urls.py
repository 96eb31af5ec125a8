"""Verification routes: the verify page and the public credential pages."""

from django.urls import path

from microdegree.verification import views

app_name = "verification"

urlpatterns = [
    path("verify", views.verify_page, name="verify"),
    path("credentials/<uuid:cred>", views.credential_page, name="credential"),
]
