"""factory_boy factories, one module per domain app (``tests/factories/<app>.py``)."""
