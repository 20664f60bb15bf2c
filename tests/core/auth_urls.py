"""The project's URLs plus the minimal echo endpoint of each wire family (Oracle's ``wire_urls``, BMC's and UIM's
in their apps' tests).

Mounted by the authentication tests: every door (the three families, the analyst API, the token endpoints
and the admin login) behind the project's own authentication classes.
"""

from config.urls import urlpatterns as project_urlpatterns
from tests.blackouts import bmc_echo_urls
from tests.core import wire_urls
from tests.inventory import uim_echo_urls

handler400 = "core.wire.views.bad_request"
handler403 = "core.wire.views.permission_denied"
handler404 = "core.wire.views.not_found"
handler500 = "core.wire.views.server_failure"

ECHO_PATHS = [
    pattern
    for echoes in (wire_urls, bmc_echo_urls, uim_echo_urls)
    for pattern in echoes.urlpatterns
    if "test/" in str(pattern.pattern)
]

urlpatterns = [*ECHO_PATHS, *project_urlpatterns]
