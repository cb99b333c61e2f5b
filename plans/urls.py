"""Plans pages: /plans/<pk>/ (an account plan) and what hangs off it."""

from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("my-work/", views.my_work, name="my_work"),
    path("revenue/", views.revenue_report, name="revenue"),
    path("visits/<int:pk>/check-in/", views.visit_check_in, name="check_in"),
    path("visits/<int:pk>/change/", views.visit_change, name="visit_change"),
    path("visits/rates/", views.visit_rates, name="visit_rates"),
    path("visits/rates.csv", views.visit_rates_csv, name="visit_rates_csv"),
    path("visits/intervals/", views.visit_intervals, name="visit_intervals"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/settings/", views.reminder_settings, name="reminder_settings"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/submit/", views.plan_step, {"step": "submit"}, name="submit"),
    path("<int:pk>/approve/", views.plan_step, {"step": "approve"}, name="approve"),
    path("<int:pk>/return/", views.plan_step, {"step": "return"}, name="return"),
    path("<int:pk>/actions/add/", views.action_add, name="action_add"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("<int:pk>/reviews/add/", views.review_add, name="review_add"),
    path("reviews/<int:pk>/comment/", views.review_comment, name="review_comment"),
]
