import pytest
from django.apps import apps
from django.core.management import call_command

from dangjian.core.audit import record


@pytest.mark.django_db(transaction=True)
def test_restore_of_a_backup_reproduces_every_row(tmp_path):
    from dangjian.core.testing import build_college

    college = build_college()
    record(actor=college.organiser, action="organizations.unit.updated", target=college.t1, unit=college.t1)
    labels = ["accounts", "core", "organizations", "people"]

    def snapshot():
        rows = {}
        for label in labels:
            for model in apps.get_app_config(label).get_models():
                rows[model._meta.label] = sorted(model.objects.values_list("pk", flat=True))
        return rows

    before = snapshot()
    path = tmp_path / "backup.json.gz"
    call_command("backup", str(path))
    call_command("restore", str(path), "--yes")
    assert snapshot() == before
    assert sum(len(v) for v in before.values()) > 30
