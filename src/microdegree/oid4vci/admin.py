"""Read-only admin views of OpenID4VCI offers and deliveries (for support and audits); the
digests are left out: they help nobody."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from microdegree.oid4vci.models import CredentialOffer, Delivery


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(CredentialOffer)
class CredentialOfferAdmin(ReadOnly):
    list_display = ("id", "user", "created_at", "expires_at", "redeemed_at", "burnt")
    list_filter = ("burnt",)
    exclude = ("offer_hash", "code_hash", "tx_code_hash", "state_hash")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ("id", "credential", "user", "holder", "flow", "delivered_at")
    list_filter = ("flow",)
    exclude = ("proof_hash",)
