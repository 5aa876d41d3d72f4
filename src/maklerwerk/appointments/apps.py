from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection, Retained


class AppointmentsConfig(AppConfig):
    name = "maklerwerk.appointments"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        from maklerwerk.appointments import invitations, tasks
        from maklerwerk.appointments.views import contact_tab_context
        from maklerwerk.core.dashboard import WIDGETS, Widget
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.jobs import JOBS, declared_jobs
        from maklerwerk.core.seeding import SEEDERS, Seeder
        from maklerwerk.core.tabs import TABS, DetailTab
        from maklerwerk.mailing.placeholders import BOOKING_LINK_FIELD, LINK_MAKERS, LinkMaker

        LINK_MAKERS.register(LinkMaker(BOOKING_LINK_FIELD, invitations.booking_link_for_mail))

        WIDGETS.register(
            Widget(
                "appointments_today", _("Appointments today"), "appointments:today_widget", order=5, bare=True
            )
        )
        TABS.register(
            DetailTab(
                page="property",
                key="viewings",
                label=_("Viewings"),
                url_name="appointments:property_tab",
                icon="ti-calendar-event",
                order=40,
            )
        )
        TABS.register(
            DetailTab(
                page="contact",
                key="appointments",
                label=_("Appointments"),
                template="appointments/_contact_tab.html",
                context=contact_tab_context,
                icon="ti-calendar-event",
                order=50,
            )
        )
        JOBS.register_all(declared_jobs(tasks))
        _register_personal_data()
        SEEDERS.register(Seeder("appointments", "maklerwerk.appointments.seed.seed_appointments", order=47))
        EXPORT_SECTIONS.register_all(
            [
                ExportSection("appointments", "appointments.Appointment", 720),
                ExportSection("appointment_contacts", "appointments.Appointment_contacts", 721),
                ExportSection("viewing_slots", "appointments.ViewingSlot", 722),
                ExportSection(
                    "booking_links", "appointments.BookingLink", 723, leave_out=frozenset({"token_hash"})
                ),
                ExportSection("viewing_bookings", "appointments.ViewingBooking", 724),
                ExportSection("appointment_settings", "appointments.AppointmentSettings", 725),
                ExportSection("appointment_reminders", "appointments.ReminderClaim", 726),
                ExportSection("booking_consents", "appointments.BookingConsent", 727),
                ExportSection("attendee_feedback", "appointments.AttendeeFeedback", 728),
                ExportSection("appointment_users", "appointments.Appointment_users", 729),
            ]
        )


def _register_personal_data() -> None:
    """What this app keeps about a person (Datenauskunft and erasure, `core.personal_data`)."""
    PERSONAL_DATA.register_all(
        [
            PersonalDataSection(
                "appointments",
                "appointments.Appointment",
                "contacts",
                800,
                _("Appointments"),
                summary=("starts_at", "title"),
                erase="keep",
            ),
            PersonalDataSection(
                "viewing_bookings",
                "appointments.ViewingBooking",
                "contact",
                810,
                _("Viewing bookings"),
                summary=("created_at",),
            ),
            PersonalDataSection(
                "booking_links",
                "appointments.BookingLink",
                "contact",
                820,
                _("Booking links"),
                leave_out=frozenset({"token_hash"}),
                summary=("created_at",),
            ),
            PersonalDataSection(
                "booking_consents",
                "appointments.BookingConsent",
                "contact",
                830,
                _("Booking consents"),
                # Accepted cancellation notice and commission terms: proof while a claim is possible.
                retained_by=(Retained("expose_evidence", "accepted_at"),),
                summary=("accepted_at", "text_version"),
            ),
            PersonalDataSection(
                "attendee_feedback",
                "appointments.AttendeeFeedback",
                "contact",
                840,
                _("Feedback on viewings"),
                summary=("interest_status", "feedback"),
            ),
        ]
    )
