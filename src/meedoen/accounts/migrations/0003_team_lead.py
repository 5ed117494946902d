from django.db import migrations, models

ROLES = [
    ("administrator", "Administrator"),
    ("analyst", "Analyst"),
    ("privacy_officer", "Privacy officer"),
    ("policy_maker", "Policy maker"),
    ("council_member", "Council member"),
    ("case_worker", "Case worker"),
    ("team_lead", "Team lead"),
    ("debt_worker", "Debt-help worker"),
    ("resident", "Resident"),
]


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_api_token")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="team",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=64, verbose_name="team"
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(choices=ROLES, max_length=32, verbose_name="role"),
        ),
        migrations.RemoveConstraint(model_name="user", name="accounts_user_role_valid"),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(role__in=[value for value, _label in ROLES]),
                name="accounts_user_role_valid",
            ),
        ),
    ]
