"""Cart expiry: the table stream's deletions of cart headers (filtered in template.yaml).

A deletion made by the table's TTL (user identity: the DynamoDB service) of a cart that
held lines emits `cart.abandoned` once; every deletion has the cart's stale lines removed.
A record that fails is reported as a batch item failure: Lambda retries from it, and the
conditional outbox Put keeps a retried record from emitting twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storefront.data.cart_expiry import removed_cart
from storefront.domain.cart.abandonment import header_removed
from storefront.observability import function_logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = function_logger()
TTL_SERVICE = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def _expired_by_ttl(record: dict[str, Any]) -> bool:
    identity = record.get("userIdentity") or {}
    return all(identity.get(key) == value for key, value in TTL_SERVICE.items())


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    failed: list[str] = []
    for record in event.get("Records") or []:
        sequence = str(record["dynamodb"]["SequenceNumber"])
        try:
            cart = removed_cart(record["dynamodb"]["OldImage"])
        except (KeyError, TypeError, ValueError) as error:
            # Retrying cannot fix it; reporting it parks the batch in the dead-letter queue.
            logger.error("malformed cart header record", extra={"reason": repr(error)})
            failed.append(sequence)
            continue
        try:
            header_removed(cart, expired=_expired_by_ttl(record))
        except Exception:
            logger.exception("cart header record failed")
            failed.append(sequence)
            break  # Lambda retries from the first failure: the records after it come again
    return {"batchItemFailures": [{"itemIdentifier": key} for key in failed]}
