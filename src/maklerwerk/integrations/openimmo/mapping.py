"""Values shared by the OpenImmo writer and reader: enumerations of the 1.2.7c schema.

Written by hand from the schema (the OpenImmo licence forbids shipping the XSD or code generated
from it). The reader may import these to stay lenient in the same vocabulary.
"""

from __future__ import annotations

VERSION = "1.2.7"
SENDER_SOFTWARE = "Maklerwerk"

# `aktion@aktionart`; a new object is written without `aktionart` (absent = ADD).
ACTION_NEW = "NEW"
ACTION_CHANGE = "CHANGE"
ACTION_DELETE = "DELETE"
ACTION_REFERENZ = "REFERENZ"
ACTIONS = (ACTION_NEW, ACTION_CHANGE, ACTION_DELETE, ACTION_REFERENZ)

USAGES = ("WOHNEN", "GEWERBE", "ANLAGE", "WAZ")
MARKETING_TYPES = ("KAUF", "MIETE_PACHT", "ERBPACHT", "LEASING")

# objektart child element → the attribute that carries its sub-type.
SUBTYPE_ATTRIBUTE = {
    "zimmer": "zimmertyp",
    "wohnung": "wohnungtyp",
    "haus": "haustyp",
    "grundstueck": "grundst_typ",
    "buero_praxen": "buero_typ",
    "einzelhandel": "handel_typ",
    "gastgewerbe": "gastgew_typ",
    "hallen_lager_prod": "hallen_typ",
    "land_und_forstwirtschaft": "land_typ",
    "parken": "parken_typ",
    "sonstige": "sonstige_typ",
    "freizeitimmobilie_gewerblich": "freizeit_typ",
    "zinshaus_renditeobjekt": "zins_typ",
}

# ausstattung/befeuerung attributes (1.2.7c added the GEG carriers from ERDGAS_LEICHT on).
CARRIERS = (
    "OEL", "GAS", "ELEKTRO", "ALTERNATIV", "SOLAR", "ERDWAERME", "LUFTWP", "FERN", "BLOCK",
    "WASSER-ELEKTRO", "PELLET", "KOHLE", "HOLZ", "FLUESSIGGAS", "ERDGAS_LEICHT", "ERDGAS_SCHWER",
    "FERNWAERME_DAMPF", "NAHWAERME", "WAERMELIEFERUNG", "BIOENERGIE", "WINDENERGIE", "WASSERENERGIE",
    "UMWELTWAERME", "KWK_FOSSIL", "KWK_ERNEUERBAR", "KWK_REGENERATIV", "KWK_BIO",
)  # fmt: skip
HEATING_TYPES = ("OFEN", "ETAGE", "ZENTRAL", "FERN", "FUSSBODEN")

# energiepass/jahrgang: 2008/2014 by the certificate's issue date; the others say why there is none.
JAHRGANG_NONE = "ohne"
JAHRGANG_NOT_REQUIRED = "nicht_noetig"
JAHRGANG_AT_VIEWING = "bei_besichtigung"

# anhang@gruppe
GROUP_TITLE = "TITELBILD"
GROUP_PICTURE = "BILD"
GROUP_FLOOR_PLAN = "GRUNDRISS"
GROUP_MAP = "KARTEN_LAGEPLAN"
GROUP_DOCUMENTS = "DOKUMENTE"
