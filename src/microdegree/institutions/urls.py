from django.urls import path

from microdegree.institutions import views

urlpatterns = [
    path("issuers/<slug:slug>/did.json", views.did_json, name="did-json"),
]
