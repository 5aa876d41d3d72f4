from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from maklerwerk.accounts import views as account_views
from maklerwerk.accounts import views_twofactor
from maklerwerk.accounts.views_twofactor import TwoFactorLoginView
from maklerwerk.api.api import api
from maklerwerk.appointments import feed as appointments_feed
from maklerwerk.core import views as core_views
from maklerwerk.matching import urls as matching_urls
from maklerwerk.properties import urls as properties_urls

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("office/<int:office_id>/logo/", core_views.office_logo, name="office_logo"),
    path("login/", TwoFactorLoginView.as_view(), name="login"),
    path("login/code/", views_twofactor.login_code_view, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("settings/", account_views.settings_view, name="settings"),
    path("settings/users/new/", account_views.user_create_view, name="user_create"),
    path("settings/users/<int:user_id>/role/", account_views.user_role_view, name="user_role"),
    path("settings/two-factor/", views_twofactor.two_factor_view, name="two_factor"),
    path(
        "settings/users/<int:user_id>/two-factor-reset/",
        views_twofactor.user_two_factor_reset_view,
        name="user_two_factor_reset",
    ),
    path("settings/tokens/", account_views.token_create_view, name="token_create"),
    path("settings/tokens/<int:token_id>/revoke/", account_views.token_revoke_view, name="token_revoke"),
    path("settings/export/", account_views.data_export_view, name="data_export"),
    path("jobs/<uuid:job_id>/", core_views.job_progress, name="job_progress"),
    path("jobs/<uuid:job_id>/download/", core_views.job_download, name="job_download"),
    path("", include("maklerwerk.core.urls")),
    path("contacts/", include("maklerwerk.contacts.urls")),
    # Matching's pages live under /properties/ in the namespace "properties", as before the split.
    path("properties/", include((properties_urls.urlpatterns + matching_urls.urlpatterns, "properties"))),
    path("duplicates/", include("maklerwerk.duplicates.urls")),
    path("sharing/", include("maklerwerk.sharing.urls")),
    path("mailing/", include("maklerwerk.mailing.urls")),
    path("sync/dav/", include("maklerwerk.davsync.urls")),
    path("exposes/", include("maklerwerk.exposes.urls")),
    path("tasks/", include("maklerwerk.tasks.urls")),
    path("inquiries/", include("maklerwerk.inquiries.urls")),
    path("imports/", include("maklerwerk.imports.urls")),
    path("appointments/", include("maklerwerk.appointments.urls")),
    # A user's personal iCal feed (no login: the secret in the URL is the key).
    path("calendar/<str:token>.ics", appointments_feed.feed_view, name="calendar_feed"),
    path("portals/", include("maklerwerk.portals.urls")),
    path("tours/", include("maklerwerk.tours.urls")),
    path("mailsync/", include("maklerwerk.mailsync.urls")),
    path("privacy/", include("maklerwerk.privacy.urls")),
    path("gwg/", include("maklerwerk.gwg.urls")),
    path("api/v1/", api.urls),
]
