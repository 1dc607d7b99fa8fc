"""Pure rules of identity: email normalisation and password bounds.

Used by the API models (so violations are 422s with the field named) and again by the
domain, so no caller can skip them.
"""

from __future__ import annotations

import re

PASSWORD_MIN_CHARS = 8
# bcrypt reads at most 72 bytes and bcrypt 5 raises ValueError beyond: refuse them.
PASSWORD_MAX_BYTES = 72
EMAIL_MAX_CHARS = 254
# Deliberately loose: one @, no spaces, a dot in the domain. Deliverability is proven
# by mail, not by a pattern.
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Never part of a name: C0 controls, DEL and C1 controls, and the bidirectional formatting
# characters (LRM, RLM, ALM, the embeddings and overrides U+202A-U+202E, the isolates
# U+2066-U+2069), which make text display in another order than it is stored:
# "invoice\u202egpj.exe" shows as "invoiceexe.jpg".
_NOT_IN_NAMES = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def check_unicode(text: str) -> str:
    """Refuse lone surrogates (JSON allows `"\\ud800"`): they cannot be stored or hashed."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("must be valid Unicode text") from error
    return text


def check_name(text: str) -> str:
    """Valid Unicode without control or bidirectional formatting characters: for names, titles and labels.

    Names are shown to other people (staff, shoppers, carriers), on one line: a control
    character breaks the line or the log, a bidi override disguises what is shown.
    """
    if _NOT_IN_NAMES.search(check_unicode(text)):
        raise ValueError("must not contain control characters or bidirectional formatting characters")
    return text


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
