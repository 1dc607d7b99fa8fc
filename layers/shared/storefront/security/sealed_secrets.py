"""Secrets kept at rest sealed by KMS (the webhook endpoints' signing secrets).

Each secret is encrypted by the key `WEBHOOK_KEY_ID` names (KMS on AWS; moto's KMS in
local mode and in tests) with an encryption context naming what it belongs to, so a
sealed value copied onto another endpoint does not open. Only base64 ciphertext is stored.
"""

from __future__ import annotations

import base64

from storefront import aws
from storefront.settings import get_settings


def seal(plaintext: str, context: dict[str, str]) -> str:
    answer = aws.client("kms").encrypt(
        KeyId=get_settings().webhook_key_id, Plaintext=plaintext.encode(), EncryptionContext=context
    )
    return base64.b64encode(answer["CiphertextBlob"]).decode()


def unseal(sealed: str, context: dict[str, str]) -> str:
    answer = aws.client("kms").decrypt(CiphertextBlob=base64.b64decode(sealed), EncryptionContext=context)
    return bytes(answer["Plaintext"]).decode()
