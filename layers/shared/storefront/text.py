"""Rules for free text from outside, shared by the API models and the domain.

Neutral ground: the models refuse bad text at the edge (a 422 naming the field) and the
domain checks it again, so no caller can skip them; neither imports the other for it.
"""

from __future__ import annotations

import re

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


# Paragraphs may break lines and indent: everything of _NOT_IN_NAMES but tab, line feed and carriage return.
_NOT_IN_PARAGRAPHS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def check_paragraphs(text: str) -> str:
    """Like `check_name`, but line breaks and tabs are allowed: for multi-line text shown to others (a review)."""
    if _NOT_IN_PARAGRAPHS.search(check_unicode(text)):
        raise ValueError(
            "must not contain control characters (other than tab and line breaks) "
            "or bidirectional formatting characters"
        )
    return text
