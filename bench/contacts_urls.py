"""The project's URLs plus a bare DRF endpoint (no auth, no family machinery), served by the same gunicorn."""

from django.urls import path

from bench.urls import BareDRF
from config import urls as project_urls

urlpatterns = [path("bench/bare-drf", BareDRF.as_view()), *project_urls.urlpatterns]

handler404 = project_urls.handler404
handler500 = project_urls.handler500
