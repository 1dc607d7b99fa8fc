"""Search indexer: keeps the published search index true to the catalog.

Fed by an SQS queue that an EventBridge rule fills with the catalog's events (product
created, updated, archived; a SKU sold out or back in stock; category changes), batched
so a burst of changes becomes one index version. A message that cannot be read is
reported as a batch item failure (and ends in the dead-letter queue); any other failure
fails the batch, which the queue redelivers. See storefront/search/indexing.py.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from storefront.observability import function_logger
from storefront.search import indexing

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = function_logger()
workspace = indexing.Workspace()  # the held copy of the index survives warm invocations


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    readable: list[dict[str, Any]] = []
    failed: list[str] = []
    for record in event.get("Records") or []:
        try:
            body = json.loads(record["body"])
            indexing.changes_of([body])  # refuses a known event without the id it names
        except (ValueError, TypeError, AttributeError) as error:
            logger.error(
                "unreadable index message", extra={"message_id": record.get("messageId"), "reason": str(error)}
            )
            failed.append(str(record.get("messageId")))
            continue
        readable.append(body)
    outcome = indexing.update(indexing.changes_of(readable), workspace)
    logger.info(
        "index batch",
        extra={
            "messages": len(event.get("Records") or []),
            "failed": len(failed),
            **(outcome.__dict__ if outcome else {}),
        },
    )
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
