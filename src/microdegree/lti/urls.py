from django.urls import path

from microdegree.lti import api, views

urlpatterns = [
    path("lti/", api.api.urls),
    path("lti/login", views.login, name="lti-login"),
    path("lti/launch", views.launch, name="lti-launch"),
    path("lti/deep-link", views.deep_link, name="lti-deep-link"),
    path("lti/check", views.check, name="lti-check"),
    path("lti/register/<str:token>", views.register, name="lti-register"),
    path("institutions/<slug:slug>/lti/", views.platforms, name="lti-platforms"),
]
