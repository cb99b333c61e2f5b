"""Project-wide views: error pages (JSON in the API's error shape under /api/), the favicon, the API document."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from kam.api.exceptions import error_body


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "No such endpoint or record."), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body("server_error", "Something went wrong on our side; it has been logged."), status=500
        )
    return defaults.server_error(request)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the vendored icon.

    Resolved per request, not at import, so the hashed name exists only after `collectstatic`."""
    return HttpResponsePermanentRedirect(static("kam/favicon.ico"))


class SchemaView(SpectacularAPIView):
    """/api/schema/: the OpenAPI document, for signed-in people and tokens only unless
    `API_DOCS_PUBLIC=1` (it maps every endpoint and field: not for anonymous visitors by default)."""

    def get_permissions(self) -> list:
        return [AllowAny()] if settings.API_DOCS_PUBLIC else [IsAuthenticated()]

    def handle_exception(self, exc: Exception) -> Response:
        # A refusal is an API error like any other: JSON in the error shape, not YAML.
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return super().handle_exception(exc)


def api_docs(request: HttpRequest) -> HttpResponse:
    """/api/docs/: Swagger UI over /api/schema/; anonymous visitors sign in first unless the docs are public."""
    if not settings.API_DOCS_PUBLIC and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _swagger(request)


_swagger = SpectacularSwaggerView.as_view(url_name="schema", template_name="kam/api_docs.html")
