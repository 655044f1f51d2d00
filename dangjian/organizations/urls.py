from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("new/", views.unit_create, name="unit_create"),
    path("<int:pk>/", views.unit_detail, name="unit"),
    path("<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("<int:pk>/roles/new/", views.role_assign, name="role_assign"),
    path("roles/<int:pk>/end/", views.role_end, name="role_end"),
    path("restructure/", views.restructure, name="restructure"),
    path("restructure/preview/", views.restructure_preview, name="restructure_preview"),
    path("restructure/<int:pk>/", views.restructure_detail, name="restructure_detail"),
    path("restructure/<int:pk>/undo/", views.restructure_undo, name="restructure_undo"),
]
