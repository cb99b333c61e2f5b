from django.urls import path

from funnel import views

app_name = "funnel"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.create, name="create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<str:chart>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("dashboard/<str:chart>.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("stage-defaults/", views.stage_defaults, name="stage_defaults"),
    path("commit/", views.commit, name="commit"),
    path("commit/<int:pk>/adjust/", views.commit_adjust, name="commit_adjust"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/card/", views.card, name="card"),
    path("<int:pk>/card/edit/", views.card_edit, name="card_edit"),
]
