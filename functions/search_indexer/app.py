"""Search indexer: keeps the published search index true to the catalog.

Fed by an SQS queue that an EventBridge rule fills with the catalog's events (product
created, updated, archived; a SKU sold out or back in stock; a review submitted,
approved, rejected or deleted, which may change the product's rating; category
changes), batched so a burst of changes becomes one index version. A message that cannot be read is
reported as a batch item failure (and ends in the dead-letter queue); any other failure
fails the batch, which the queue redelivers. See storefront/search/indexing.py.

It also serves the stack's `SearchIndex` custom resource: on Create (and Update) it
publishes a first index if none exists, an empty one in a new store, so the first
search answers a page instead of 503 while an index is built. Idempotent: an existing
index is left as it is.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from storefront import custom_resource
from storefront.observability import function_logger
from storefront.search import changes, indexing

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = function_logger()
workspace = indexing.Workspace()  # the held copy of the index survives warm invocations
_PHYSICAL_ID = "search-index"


def _custom_resource(event: dict[str, Any]) -> None:
    try:
        if event["RequestType"] in ("Create", "Update"):
            outcome = indexing.ensure_index(workspace)
            logger.info(
                "search index ensured", extra={"built": outcome is not None, **(outcome.__dict__ if outcome else {})}
            )
        custom_resource.answer(event, "SUCCESS", _PHYSICAL_ID)
    except Exception as error:
        logger.exception("the first search index could not be published")
        custom_resource.answer(event, "FAILED", _PHYSICAL_ID, type(error).__name__)


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if custom_resource.is_request(event):
        _custom_resource(event)
        return {}
    readable: list[dict[str, Any]] = []
    failed: list[str] = []
    for record in event.get("Records") or []:
        try:
            body = json.loads(record["body"])
            changes.changes_of([body])  # refuses a known event without the id it names
        except (ValueError, TypeError, AttributeError) as error:
            logger.error(
                "unreadable index message", extra={"message_id": record.get("messageId"), "reason": str(error)}
            )
            failed.append(str(record.get("messageId")))
            continue
        readable.append(body)
    outcome = indexing.update(changes.changes_of(readable), workspace)
    logger.info(
        "index batch",
        extra={
            "messages": len(event.get("Records") or []),
            "failed": len(failed),
            **(outcome.__dict__ if outcome else {}),
        },
    )
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
