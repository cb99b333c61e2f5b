from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.forms import PageLoginForm
from kam.views import SchemaView, api_docs, favicon
from plans.views import home

urlpatterns = [
    path("", home, name="home"),
    # Browsers ask for /favicon.ico whatever the page says; send them to the vendored file.
    path("favicon.ico", favicon),
    path("login/", auth_views.LoginView.as_view(authentication_form=PageLoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("accounts/<int:account_pk>/", include("plans.account_urls")),
    path("tiering/", include("tiering.urls")),
    path("plans/", include("plans.urls")),
    path("api-tokens/", include("accounts.token_views")),
    path("admin/", admin.site.urls),
    # Integration routes first: `accounts/bulk/` must win over the accounts router's `accounts/<pk>/`.
    path("api/v1/", include("integrations.api.urls")),
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/tiering/", include("tiering.api.urls")),
    path("api/v1/", include("funnel.api.urls")),
    path("funnel/", include("funnel.urls")),
    path("api/v1/", include("plans.api.urls")),
    path("integrations/", include("integrations.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),
]

handler404 = "kam.views.not_found"
handler500 = "kam.views.server_error"
