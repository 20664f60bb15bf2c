"""The attack run of issue #21 (``make attack``): see ``__main__.py`` and docs/testing.md."""
