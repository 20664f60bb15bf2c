from django.apps import AppConfig


class AccessKeysConfig(AppConfig):
    """BMC Helix access keys: the key, its login and refresh endpoints and the ``apiKey``/``Bearer`` authentication of
    the tokens they issue. Below the domain apps, as ``core`` is: the BMC family takes the authentication class from
    settings, never by this app naming it."""

    name = "core.access_keys"
    label = "access_keys"
    verbose_name = "Access keys"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import services

        services.register()  # described to the change log (the secret's hash recorded only as changed)
