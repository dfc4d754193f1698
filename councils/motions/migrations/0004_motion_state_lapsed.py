from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("motions", "0003_vote_parties"),
    ]

    operations = [
        migrations.AlterField(
            model_name="motion",
            name="state",
            field=models.CharField(
                choices=[
                    ("draft", "Awaiting seconders"),
                    ("seconded", "Seconded, awaiting a vote"),
                    ("voting", "Voting open"),
                    ("adopted", "Adopted"),
                    ("rejected", "Rejected"),
                    ("forwarded", "Adopted and forwarded"),
                    ("withdrawn", "Withdrawn"),
                    ("lapsed", "Lapsed with its motion"),
                ],
                default="draft",
                max_length=20,
            ),
        ),
    ]
