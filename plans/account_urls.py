"""Plans pages under an account: /accounts/<account_pk>/contacts/…, /accounts/<account_pk>/activities/…"""

from django.urls import path

from plans import views

app_name = "plans_account"

urlpatterns = [
    path("contacts/add/", views.contact_add, name="contact_add"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/move/", views.contact_move, name="contact_move"),
    path("contacts/<int:pk>/left/", views.contact_left, name="contact_left"),
    path("activities/add/", views.activity_add, name="activity_add"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("plans/add/", views.plan_add, name="plan_add"),
    path("proposals/add/", views.proposal_add, name="proposal_add"),
    path("zipper/", views.zipper_page, name="zipper"),
    path("themes/add/", views.theme_add, name="theme_add"),
    path("visit-interval/", views.visit_interval_edit, name="visit_interval"),
    path("contact-plan/add/", views.contact_plan_add, name="contact_plan_add"),
    path("contact-plan/<int:pk>/edit/", views.contact_plan_edit, name="contact_plan_edit"),
    path("contact-plan/<int:pk>/remove/", views.contact_plan_remove, name="contact_plan_remove"),
]
