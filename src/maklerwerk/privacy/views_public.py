"""The public one-click unsubscribe (RFC 8058): the link in every marketing mail.

GET shows a page with one button; POST (the button, or a mail client's one-click request with the
body `List-Unsubscribe=One-Click`) withdraws the consent. A mail client posts without a CSRF token,
so the POST is exempt; the signed token is the authorisation.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from maklerwerk.core.net import client_ip
from maklerwerk.privacy.consent import unsubscribe, unsubscribe_read
from maklerwerk.sharing.views_public import private, public_view
from maklerwerk.sharing.visits import coarse_ip


@csrf_exempt
@public_view
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    found = unsubscribe_read(token)
    if found is None:
        return private(render(request, "sharing/public_invalid.html", status=404))
    contact, _purpose = found
    context = {"office": contact.office, "token": token, "done": False}
    if request.method == "POST":
        unsubscribe(token=token, ip_coarse=coarse_ip(client_ip(request)))
        context["done"] = True
    return private(render(request, "privacy/unsubscribe.html", context))
