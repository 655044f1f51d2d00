from django.urls import path

from . import views

app_name = "talks"
urlpatterns = [
    path("", views.talk_list, name="list"),
    path("new/", views.talk_create, name="create"),
    path("coverage/", views.coverage, name="coverage"),
    path("plan/", views.plan, name="plan"),
    path("mine/", views.my_todo, name="my_todo"),
    path("<int:pk>/", views.talk_detail, name="detail"),
    path("<int:pk>/edit/", views.talk_edit, name="edit"),
    path("<int:pk>/delete/", views.talk_delete, name="delete"),
    path("<int:pk>/summary/", views.talk_summary, name="summary"),
    path("<int:pk>/word/", views.talk_word, name="word"),
]
