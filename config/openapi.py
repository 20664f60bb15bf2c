"""drf-spectacular's settings: the OpenAPI document's title, servers, tags, enum names and post-processing hooks."""


def spectacular_settings(public_base_url: str) -> dict:
    """``SPECTACULAR_SETTINGS``, the document served at ``public_base_url`` (``API_PUBLIC_BASE_URL``)."""
    return {
        "TITLE": "Utility & telecom back office API",
        "DESCRIPTION": (
            "Re-implementations of Oracle Utilities (`/rest/apis/`), BMC Helix events-service "
            "(`/events-service/api/v1.0/`) and Oracle UIM (`/InventoryRSOpenAPI/`) operations, "
            "plus the analyst API under `/api/`."
        ),
        "VERSION": "1.0.0",
        "SERVERS": [{"url": public_base_url, "description": "this back office (API_PUBLIC_BASE_URL)"}],
        "SERVE_INCLUDE_SCHEMA": False,
        # Every tag an operation uses, declared with what it groups (generators name modules after them).
        "TAGS": [
            {"name": "outages", "description": "Oracle Utilities outage events: notifications in, search out."},
            {"name": "contacts", "description": "Oracle Utilities customer contacts: upsert and read."},
            {
                "name": "Enrollments (Oracle Utilities Digital Asset)",
                "description": "Oracle Utilities program enrollments: enroll, unenroll and their status.",
            },
            {"name": "blackouts", "description": "BMC Helix blackout policies and event ingestion."},
            {"name": "blackouts (extension)", "description": "Ours beside BMC: a blackout policy's windows previewed."},
            {"name": "bmc-auth", "description": "BMC Helix access-key login and token refresh."},
            {"name": "InventoryRSOpenAPI", "description": "Oracle UIM service inventory: bundles, services, hub."},
            {"name": "analyst", "description": "Ours: read-only lists of every domain, with filters and exports."},
            {"name": "webhooks (extension)", "description": "Ours: outbound event subscriptions."},
            {"name": "auth", "description": "JWT pairs for every family: obtain and refresh."},
        ],
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
        "COMPONENT_SPLIT_REQUEST": True,
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "core.schema_hooks.require_bodies_with_required_properties",
            "core.schema_hooks.type_beside_every_nullable",
            "core.schema_hooks.path_parameters_in_path_order",
            "core.schema_hooks.paths_without_trailing_slash",
            "core.schema_hooks.security_on_every_operation",
        ],
        # Choice sets that share a field name across apps get explicit component names.
        "ENUM_NAME_OVERRIDES": {
            "BlackoutEventStatusEnum": "blackouts.models.EventStatus",
            "UnenrollReasonEnum": "enrollments.models.UnenrollReason",
            "BlackoutTimeframeStateEnum": "blackouts.models.TimeframeState",
            "OutageStateEnum": "outages.models.OutageState",
            "InteractionStateEnum": "inventory.models.InteractionState",
            "ServiceStateEnum": "inventory.models.ServiceState",
            "ContactStatusEnum": "contacts.models.ContactStatus",
            "WebhookSubscriptionFormatEnum": "core.changes.models.Subscription.Format",
        },
    }
