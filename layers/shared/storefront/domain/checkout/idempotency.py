"""Completion requests answered once per (user, Idempotency-Key): Powertools idempotency on the table.

The first request with a key runs; a repeat with the same key and body gets the stored
answer (24 hours), one with the same key and another body (another checkout or payment
method) is a 422, and one arriving while the first still runs is a 409 with Retry-After.
Records live in the single table at `IDEMPOTENCY#checkout-complete` / `checkout-complete#<hash>`,
expiring through its TTL attribute. A failed completion leaves no record: retrying it runs
again. The resumption rule of the completion (the checkout remembers which key completed
it) covers a record lost after the order was written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.serialization.custom_dict import CustomDictSerializer

from storefront import aws
from storefront.data import keys
from storefront.domain.errors import RetryLater, Unprocessable
from storefront.domain.orders.entities import (
    ChosenShipping,
    HistoryEntry,
    Order,
    OrderLine,
    OrderPayment,
    PostalAddress,
    Refund,
)
from storefront.payments.port import PaymentStart
from storefront.settings import get_settings

KEPT_S = 24 * 3600
KEY_PREFIX = "checkout-complete"


class CompletionInProgress(RetryLater):
    """The same Idempotency-Key is being completed by another request right now."""

    status, code, title = 409, "in-progress", "Conflict"


class _TablePersistence(DynamoDBPersistenceLayer):
    """The persistence layer on the single table, with the process's one DynamoDB client.

    The client is looked up on each use (`storefront.aws.client` caches it per execution
    environment), so the endpoint is the one in force when the request runs.
    """

    @property
    def client(self) -> Any:
        return aws.client("dynamodb")

    @client.setter
    def client(self, _: Any) -> None:
        pass  # the base class assigns its own; ours is always aws.client("dynamodb")


def _completion_of(data: dict[str, Any]) -> Any:
    from storefront.domain.checkout.completion import Completion

    order: dict[str, Any] = dict(data["order"])
    order.update(
        items=tuple(OrderLine(**line) for line in order["items"]),
        shipping_address=PostalAddress(**order["shipping_address"]),
        billing_address=PostalAddress(**order["billing_address"]),
        shipping_method=ChosenShipping(**order["shipping_method"]),
        payment=OrderPayment(**order["payment"]),
        history=tuple(HistoryEntry(**entry) for entry in order["history"]),
        refunds=tuple(Refund(**refund) for refund in order["refunds"]),
    )
    return Completion(order=Order(**order), payment=PaymentStart(**data["payment"]))


_SERIALIZER = CustomDictSerializer(to_dict=asdict, from_dict=_completion_of)
_CONFIG = IdempotencyConfig(
    event_key_jmespath="[user_id, idempotency_key]",
    payload_validation_jmespath="[checkout_id, payment_method]",
    raise_on_no_idempotency_key=True,
    expires_after_seconds=KEPT_S,
    hash_function="sha256",
)


def track_remaining_time(lambda_context: Any) -> None:
    """A request still in progress blocks its key only until its Lambda invocation would time out."""
    _CONFIG.register_lambda_context(lambda_context)


@cache
def _persistence() -> DynamoDBPersistenceLayer:
    persistence = _TablePersistence(
        table_name=get_settings().table_name,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value=keys.idempotency_partition(KEY_PREFIX),
        expiry_attr="expires_at",
        boto3_client=aws.client("dynamodb"),
    )
    # Configured here, whole, before any use: Powertools' own first-use configuration marks
    # itself done before it has compiled the key expressions.
    persistence.configure(_CONFIG, key_prefix=KEY_PREFIX)
    return persistence


def once_per_key(run: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
    """`run(request)` behind the idempotency record of `request`'s user and key."""

    def guarded(request: dict[str, Any]) -> Any:
        wrapped = idempotent_function(
            lambda request: run(request),
            data_keyword_argument="request",
            persistence_store=_persistence(),
            config=_CONFIG,
            output_serializer=_SERIALIZER,
            key_prefix=KEY_PREFIX,
        )
        try:
            return wrapped(request=request)
        except IdempotencyValidationError as error:
            raise Unprocessable(
                "This Idempotency-Key was used for another request (another checkout or payment method): "
                "send a new key for a new attempt."
            ) from error
        except IdempotencyAlreadyInProgressError as error:
            raise CompletionInProgress(
                "A completion with this Idempotency-Key is in progress; retry shortly for its answer.", retry_after=1
            ) from error

    return guarded
