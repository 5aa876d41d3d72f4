from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToursConfig(AppConfig):
    name = "maklerwerk.tours"
    verbose_name = _("Virtual tours")

    def ready(self) -> None:
        from maklerwerk.accounts.roles import Capability
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.jobs import JOBS, declared_jobs
        from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection
        from maklerwerk.core.tabs import ACTIONS, TABS, DetailAction, DetailTab
        from maklerwerk.exposes.extras import OFFER_EXTRAS, OfferExtra
        from maklerwerk.mailing.placeholders import LINK_MAKERS, LinkMaker
        from maklerwerk.properties.media import MEDIA_EXTRAS, MediaExtra
        from maklerwerk.tours import pdf, publishing, tasks
        from maklerwerk.tours.views import contact_tab_context

        TABS.register(
            DetailTab(
                page="property",
                key="tours",
                label=_("Tour tab"),
                url_name="tours:property_tab",
                icon="ti-360-view",
                order=45,
            )
        )
        TABS.register(
            DetailTab(
                page="contact",
                key="tours",
                label=_("Virtual tours"),
                template="tours/_contact_tab.html",
                context=contact_tab_context,
                order=58,
            )
        )
        ACTIONS.register(
            DetailAction(
                page="inquiry",
                key="tour_grant",
                label=_("Grant tour access"),
                url_name="tours:inquiry_grant",
                icon="ti-lock-open",
                capability=Capability.EDIT,
            )
        )
        JOBS.register_all(declared_jobs(tasks))
        PERSONAL_DATA.register_all(
            [
                PersonalDataSection(
                    "tour_grants",
                    "tours.Grant",
                    "contact",
                    850,
                    _("Access to virtual tours"),
                    leave_out=frozenset({"token_hash"}),
                    summary=("created_at", "expires_at"),
                ),
                # Seconds per room only: kept as the tour's statistics when the person is erased.
                PersonalDataSection(
                    "tour_visits",
                    "tours.Visit",
                    "contact",
                    860,
                    _("Virtual tour visits"),
                    leave_out=frozenset({"visit_key"}),
                    erase="keep",
                    summary=("started_at", "rooms"),
                ),
            ]
        )
        LINK_MAKERS.register(LinkMaker(publishing.TOUR_LINK_FIELD, publishing.tour_link_for_mail))
        MEDIA_EXTRAS.register(
            MediaExtra(
                "tours", links=publishing.published_links, title_image=publishing.title_image, order=10
            )
        )
        OFFER_EXTRAS.register(
            OfferExtra(
                pdf.OFFER_EXTRA,
                _(
                    "Virtual tour (PDF with link and QR code; "
                    "grants access to a tour that needs registration)"
                ),
                available=pdf.offer_available,
                make=pdf.offer_attachment,
                order=10,
            )
        )
        EXPORT_SECTIONS.register_all(
            [
                ExportSection("tours", "tours.Tour", 830, secrets=frozenset({"webhook_secret_encrypted"})),
                ExportSection("tour_registrations", "tours.Registration", 832),
                ExportSection("tour_grants", "tours.Grant", 834, leave_out=frozenset({"token_hash"})),
                ExportSection("tour_visits", "tours.Visit", 836),
            ]
        )
