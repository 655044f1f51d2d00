from django.urls import path, re_path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("export/", views.export, name="export"),
    path("new/", views.person_create, name="person_create"),
    path("transfer-in/", views.transfer_in, name="transfer_in"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="template"),
    path("import/batches/<int:pk>/", views.import_batch, name="import_batch"),
    path("import/batches/<int:pk>/rollback/", views.import_rollback, name="import_rollback"),
    re_path(r"^import/(?P<token>[0-9a-f]{64})/$", views.import_preview, name="import_preview"),
    re_path(r"^import/(?P<token>[0-9a-f]{64})/confirm/$", views.import_confirm, name="import_confirm"),
    path("<int:pk>/", views.person_detail, name="person"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/delete/", views.person_delete, name="person_delete"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<int:pk>/reveal-id/", views.reveal_id, name="reveal_id"),
]
