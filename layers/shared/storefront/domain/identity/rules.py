"""Pure rules of identity: email normalisation and password bounds.

Used by the API models (so violations are 422s with the field named) and again by the
domain, so no caller can skip them.
"""

from __future__ import annotations

import re

from storefront.text import check_unicode

PASSWORD_MIN_CHARS = 8
# bcrypt reads at most 72 bytes and bcrypt 5 raises ValueError beyond: refuse them.
PASSWORD_MAX_BYTES = 72
EMAIL_MAX_CHARS = 254
# Deliberately loose: one @, no spaces, a dot in the domain. Deliverability is proven
# by mail, not by a pattern.
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(raw: str) -> str:
    """Strip surrounding whitespace and lower-case the whole address.

    Lower-casing the local part too is a choice: RFC 5321 allows case-sensitive local
    parts, but no mainstream provider uses them, and `Ann@x.com` and `ann@x.com` being
    two accounts is a support nightmare.
    """
    email = check_unicode(raw).strip().lower()
    if len(email) > EMAIL_MAX_CHARS or not _EMAIL_SHAPE.match(email):
        raise ValueError("must be an email address like name@example.com")
    return email


def check_new_password(password: str) -> str:
    """A password a user may choose: at least 8 characters and at most 72 UTF-8 bytes."""
    if len(password) < PASSWORD_MIN_CHARS:
        raise ValueError(f"must have at least {PASSWORD_MIN_CHARS} characters")
    return check_password_size(password)


def check_password_size(password: str) -> str:
    """Any password bcrypt can take: not empty and at most 72 UTF-8 bytes."""
    if not password:
        raise ValueError("must not be empty")
    if len(check_unicode(password).encode("utf-8")) > PASSWORD_MAX_BYTES:
        raise ValueError(f"must be at most {PASSWORD_MAX_BYTES} bytes in UTF-8")
    return password
