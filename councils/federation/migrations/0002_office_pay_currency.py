import json

from django.db import migrations, models


def currency_of_latest_declaration(apps, schema_editor):
    """Give each office the currency its latest `office.pay_declared` entry names.

    The record is the only place the currency of a declaration was kept. Declarations of one office
    hold its row locked in turn, so the highest entry id is the latest. An office that never declared,
    or whose latest declaration names no currency (recorded before declarations named one, or under a
    version that states none), is left blank rather than given the currency in force today: the record
    gives it none, and the register reads such amounts in the constitution's currency, as it read every
    office before. Stamping today's currency on them would claim what was never declared, and flag
    offices that never declared anything as out of date at the next change of currency.
    """
    Entry = apps.get_model("record", "Entry")
    Office = apps.get_model("federation", "Office")
    latest: dict[str, str] = {}
    entries = Entry.objects.filter(event="office.pay_declared").order_by("id").values_list("data", flat=True)
    for data in entries.iterator(chunk_size=2000):
        payload = json.loads(bytes(data)).get("payload") or {}
        office = payload.get("office")
        if not isinstance(office, str):
            continue
        currency = payload.get("currency")
        latest[office] = currency if isinstance(currency, str) and len(currency) == 3 else ""
    by_currency: dict[str, list[str]] = {}
    for office, currency in latest.items():
        if currency:
            by_currency.setdefault(currency, []).append(office)
    for currency, offices in by_currency.items():
        for start in range(0, len(offices), 500):
            Office.objects.filter(uuid__in=offices[start : start + 500]).update(pay_currency=currency)


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0001_initial"),
        ("record", "0005_refuse_truncate"),
    ]

    operations = [
        migrations.AddField(
            model_name="office",
            name="pay_currency",
            field=models.CharField(blank=True, default="", max_length=3),
        ),
        migrations.RunPython(currency_of_latest_declaration, migrations.RunPython.noop),
    ]
