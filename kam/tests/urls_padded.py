"""A URL configuration for kam/tests/test_fast_url.py: a converter that pads numbers."""

from django.http import HttpResponse
from django.urls import path, register_converter


class Padded:
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{value:04d}"


register_converter(Padded, "padded4")
urlpatterns = [path("p/<padded4:pk>/", lambda request, pk: HttpResponse(), name="padded")]
