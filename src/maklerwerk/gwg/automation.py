"""Cases that open themselves: when a property becomes "reserviert", a purchase case is opened with
its owners as sellers and the prospects with an offer or purchase as buyers; if not every side is
identified, the responsible agent gets a task. (Registered as a `PropertyWatcher` in apps.py.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from maklerwerk.gwg import services
from maklerwerk.gwg.checklist import REQUIRED_SIDES, side_done
from maklerwerk.gwg.models import GwgCase, Party
from maklerwerk.properties.selectors import property_contacts
from maklerwerk.tasks.services import task_create

if TYPE_CHECKING:
    from maklerwerk.properties.models import Property

RESERVED = "reserved"
_SELLERS = {"owner"}
_BUYER_STATUSES = {"offer", "bought"}


def status_before(prop: Property) -> str:
    return str(prop.status)


def property_changed(prop: Property, before: Any) -> None:
    if prop.status != RESERVED or before == RESERVED:
        return
    if prop.marketing_type == "kauf":
        kind, seller, buyer, price, rent = (
            GwgCase.Kind.PURCHASE,
            Party.Role.SELLER,
            Party.Role.BUYER,
            prop.purchase_price,
            None,
        )
    elif prop.cold_rent is not None and prop.cold_rent >= services.RENTAL_THRESHOLD:
        kind, seller, buyer, price, rent = (
            GwgCase.Kind.RENTAL,
            Party.Role.LANDLORD,
            Party.Role.TENANT,
            None,
            prop.cold_rent,
        )
    else:
        return  # a rental below the §1 Abs. 11 threshold is no GwG case
    case = GwgCase.objects.filter(
        office_id=prop.office_id, property_id=prop.pk, status=GwgCase.Status.OPEN
    ).first()
    if case is None:
        case = services.case_open(
            office=prop.office,
            acting_user=None,
            property_id=prop.pk,
            property_label=f"{prop.external_id} {prop.title}".strip(),
            kind=kind,
            price=price,
            monthly_rent=rent,
            origin=GwgCase.Origin.RESERVED,
            agent=prop.responsible_agent,
        )
        for link in property_contacts(prop=prop):
            if link.role in _SELLERS:
                role = seller
            elif link.role == "prospect" and link.interest_status in _BUYER_STATUSES:
                role = buyer
            else:
                continue
            services.party_add(
                case=case,
                acting_user=None,
                role=role,
                name=(link.contact.display_name or f"#{link.contact_id}")[:200],
                contact_id=link.contact_id,
                system=True,
            )
    if all(side_done(case, role) for role in REQUIRED_SIDES[GwgCase.Kind(case.kind)]):
        return
    task_create(
        office=prop.office,
        title=_("GwG: identify buyer and seller of %(ref)s (reserved)")
        % {"ref": prop.external_id or prop.pk},
        description=_(
            "The property was reserved, but the identification of the parties is not complete "
            "(§10, §11 GwG). Complete it in the GwG file before the notary appointment."
        ),
        assignee=prop.responsible_agent,
        property_id=prop.pk,
        link_url=reverse("gwg:case", args=[case.pk]),
        source="gwg",
        priority="high",
    )
