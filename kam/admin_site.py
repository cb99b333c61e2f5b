"""The admin is for directors (and superusers), who see every account anyway (issue 13 item 2).

Its lists, filters and autocomplete fields are not built from `visible_to`; a staff flag given
to a rep or a manager must not open every team's names to them, so only directors get in.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class KamAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and request.user.is_director


class KamAdminConfig(AdminConfig):
    default_site = "kam.admin_site.KamAdminSite"
