from django.urls import path

from tiering import views

app_name = "tiering"

urlpatterns = [
    path("matrix/", views.matrix, name="matrix"),
    path("needs-assessment/", views.needs_assessment, name="needs_assessment"),
    path("migration/", views.migration, name="migration"),
    path("runs/", views.runs, name="runs"),
    path("settings/", views.settings_edit, name="settings"),
    path("accounts/<int:pk>/assess/", views.assess, name="assess"),
    path("accounts/<int:pk>/override/", views.override, name="override"),
    path("accounts/<int:pk>/override/<int:override_pk>/revoke/", views.override_revoke, name="override_revoke"),
]
