from django.db import migrations


def leave_room_for_in_place_updates(apps, schema_editor):
    """Half-full pages let PostgreSQL rewrite a recalculated row beside the old one (a HOT update):
    no index entries to add and a third of the WAL, for every slot on every run."""
    schema_editor.execute("ALTER TABLE planograms_slotmetrics SET (fillfactor = 50)")


def fill_pages(apps, schema_editor):
    schema_editor.execute("ALTER TABLE planograms_slotmetrics RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("planograms", "0005_metrics_keyed_by_their_object")]

    operations = [migrations.RunPython(leave_room_for_in_place_updates, fill_pages)]
