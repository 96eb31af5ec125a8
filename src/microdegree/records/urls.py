"""Learner routes: /me/... (signed in), /share/<token> and /platform/did.json (public)."""

from django.urls import path

from microdegree.records import views

app_name = "records"

urlpatterns = [
    path("me/", views.record_page, name="record"),
    path("me/login", views.login_page, name="login"),
    path("me/login/<str:token>", views.login_link, name="login-link"),
    path("me/claim/<str:token>", views.claim, name="claim"),
    path("me/emails/", views.add_email, name="add-email"),
    path("me/emails/<int:pk>/remove", views.remove_email, name="remove-email"),
    path("me/emails/verify/<str:token>", views.verify_email, name="verify-email"),
    path("me/language", views.set_language, name="set-language"),
    path("me/did", views.bind_did, name="bind-did"),
    path("me/did/remove", views.unbind_did, name="unbind-did"),
    path("me/import", views.import_page, name="import"),
    path("me/clr", views.clr_page, name="clr"),
    path("me/export", views.export, name="export"),
    path("me/delete", views.delete_page, name="delete"),
    path("me/credentials/<str:key>/", views.credential_page, name="credential"),
    path("me/credentials/<str:key>/preferences", views.preferences, name="preferences"),
    path("me/credentials/<str:key>/share-link", views.new_share_link, name="new-share-link"),
    path("me/credentials/<str:key>/check", views.recheck_import, name="recheck-import"),
    path("me/credentials/<str:key>/remove", views.remove_import, name="remove-import"),
    path("me/credentials/<str:key>/credential.<str:fmt>", views.download, name="download"),
    path("me/credentials/<str:key>/reissue", views.request_reissue, name="request-reissue"),
    path("institutions/<slug:slug>/reissue-requests/", views.reissue_requests,
         name="reissue-requests"),
    path("institutions/<slug:slug>/reissue-requests/<int:pk>/<str:decision>",
         views.decide_reissue, name="decide-reissue"),
    path("me/credentials/<str:key>/wallet", views.send_to_wallet, name="send-to-wallet"),
    path("wallet/exchanges/<str:exchange_id>", views.exchange, name="exchange"),
    path("share/<str:token>", views.share_page, name="share"),
    path("platform/did.json", views.platform_did, name="platform-did"),
]
