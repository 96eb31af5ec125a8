from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """The learner's side: accounts, the lifelong record, progress, sharing, CLR export."""

    name = "microdegree.records"
    label = "records"
    verbose_name = "Learner records"

    def ready(self) -> None:
        from microdegree.institutions import sealed
        from microdegree.records import platform, record
        from microdegree.verification import hooks

        sealed.register("records.PlatformKey", "sealed_secret", platform.key_context)
        # Verification sits below records: it asks here whether a holder hid a credential,
        # whether the visitor holds it, and for the platform's DID document (verification/hooks.py).
        hooks.register(
            hidden_by_holder=record.hidden_from_public,
            holds=lambda user, credential: (
                record.owned_credential(user, credential.uuid) is not None),
            platform_did_document=platform.did_document,
        )
