"""Search profiles, new matches, self-service links and notifications moved to the matching app.

State only: the tables stay as they are, under their names (`properties_searchprofile`, ...), and
the matching app takes them over in its migration 0001 (`Meta.db_table`). No SQL runs.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("properties", "0005_agent_fields_choices_and_kennung_pattern"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveIndex(
                    model_name="agentnotification",
                    name="notification_open",
                ),
                migrations.RemoveIndex(
                    model_name="newmatch",
                    name="newmatch_office_unseen",
                ),
                migrations.RemoveIndex(
                    model_name="newmatch",
                    name="newmatch_agent_unseen",
                ),
                migrations.RemoveIndex(
                    model_name="searchprofile",
                    name="profile_contact",
                ),
                migrations.RemoveIndex(
                    model_name="searchprofile",
                    name="profile_match_mode",
                ),
                migrations.RemoveIndex(
                    model_name="searchprofile",
                    name="profile_validity",
                ),
                migrations.RemoveField(
                    model_name="selfservicelink",
                    name="profile",
                ),
                migrations.RemoveIndex(
                    model_name="searchprofilearea",
                    name="profile_area_key",
                ),
                migrations.RemoveField(
                    model_name="agentnotification",
                    name="contact",
                ),
                migrations.RemoveField(
                    model_name="agentnotification",
                    name="office",
                ),
                migrations.RemoveField(
                    model_name="agentnotification",
                    name="profile",
                ),
                migrations.RemoveField(
                    model_name="agentnotification",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="newmatch",
                    name="agent",
                ),
                migrations.RemoveField(
                    model_name="newmatch",
                    name="office",
                ),
                migrations.RemoveField(
                    model_name="newmatch",
                    name="profile",
                ),
                migrations.RemoveField(
                    model_name="newmatch",
                    name="property",
                ),
                migrations.RemoveField(
                    model_name="searchprofile",
                    name="contact",
                ),
                migrations.RemoveField(
                    model_name="searchprofile",
                    name="office",
                ),
                migrations.RemoveField(
                    model_name="searchprofilearea",
                    name="office",
                ),
                migrations.RemoveField(
                    model_name="searchprofilearea",
                    name="profile",
                ),
                migrations.DeleteModel(
                    name="SelfServiceLink",
                ),
                migrations.DeleteModel(
                    name="AgentNotification",
                ),
                migrations.DeleteModel(
                    name="NewMatch",
                ),
                migrations.DeleteModel(
                    name="SearchProfile",
                ),
                migrations.DeleteModel(
                    name="SearchProfileArea",
                ),
            ],
        ),
    ]
