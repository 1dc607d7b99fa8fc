"""Pure rules of users and addresses."""

from __future__ import annotations

import re

from storefront.domain.errors import Forbidden
from storefront.domain.identity.roles import Role

MAX_ADDRESSES = 20
# Loose on purpose: digits with the usual separators and an optional leading +.
_PHONE = re.compile(r"^\+?[0-9(][0-9 ().-]{2,30}[0-9]$")
# ISO 3166-1 alpha-2: the 249 officially assigned codes.
_ALPHA_2 = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRY_CODES = frozenset(_ALPHA_2.split())


def check_country(code: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper case as the standard writes it (`DE`, not `de`)."""
    if len(code) != 2 or not code.isascii() or not code.isupper():
        raise ValueError("must be an ISO 3166-1 alpha-2 code in upper case, like US or DE")
    if code not in COUNTRY_CODES:
        raise ValueError(f"{code} is not an assigned ISO 3166-1 alpha-2 code")
    return code


def check_phone(phone: str) -> str:
    if not _PHONE.match(phone) or sum(char.isdigit() for char in phone) < 4:
        raise ValueError("must be a phone number: digits, spaces, ( ) . - and an optional leading +")
    return phone


def check_admin_change(admin_id: str, target_id: str, role: Role | None, disabled: bool | None) -> None:
    """Nobody edits their own role or disabled flag through the API (403), not even to the same value.

    An admin whose account was taken over cannot re-promote or re-enable themself, and an
    admin cannot lock themself out; another admin (or the operator tool) does it.
    """
    if admin_id == target_id and (role is not None or disabled is not None):
        raise Forbidden("Nobody can change their own role or disabled flag; ask another admin.")
