"""Plans pages: /plans/<pk>/ (an account plan) and what hangs off it."""

from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("my-work/", views.my_work, name="my_work"),
    path("revenue/", views.revenue_report, name="revenue"),
    path("time-allocation/", views.time_allocation, name="time_allocation"),
    path("time-allocation.csv", views.time_allocation_csv, name="time_allocation_csv"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/submit/", views.proposal_step, {"step": "submit"}, name="proposal_submit"),
    path("proposals/<int:pk>/approve/", views.proposal_step, {"step": "approve"}, name="proposal_approve"),
    path("proposals/<int:pk>/return/", views.proposal_step, {"step": "return"}, name="proposal_return"),
    path("visits/<int:pk>/check-in/", views.visit_check_in, name="check_in"),
    path("visits/<int:pk>/change/", views.visit_change, name="visit_change"),
    path("visits/rates/", views.visit_rates, name="visit_rates"),
    path("visits/rates.csv", views.visit_rates_csv, name="visit_rates_csv"),
    path("visits/intervals/", views.visit_intervals, name="visit_intervals"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/settings/", views.reminder_settings, name="reminder_settings"),
    path("reminders/<slug:kind>/", views.reminder_list, name="reminder_list"),
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
