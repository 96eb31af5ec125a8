# Written by hand (makemigrations trips over oauth2_provider's swappable settings in this
# checkout); equivalent to what `makemigrations catalog` generates for these three fields.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="achievementversion",
            name="cost_amount",
            field=models.FloatField(
                blank=True,
                help_text="What a learner pays; 0 = free; empty = not stated",
                null=True,
                validators=[django.core.validators.MinValueValidator(0)],
            ),
        ),
        migrations.AddField(
            model_name="achievementversion",
            name="cost_currency",
            field=models.CharField(
                blank=True,
                help_text="ISO 4217 code, e.g. EUR (needed when the cost is not 0)",
                max_length=3,
                validators=[django.core.validators.RegexValidator(
                    "^[A-Z]{3}$",
                    "Use a three-letter ISO 4217 currency code in capitals, e.g. EUR.",
                )],
            ),
        ),
        migrations.AddField(
            model_name="achievementversion",
            name="duration_weeks",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Typical duration in weeks (exported as ISO 8601, e.g. P6W)",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(520),
                ],
            ),
        ),
    ]
