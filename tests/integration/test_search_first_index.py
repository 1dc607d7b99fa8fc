"""A new stack's first search index: the `SearchIndex` custom resource, served by the indexer (moto)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from storefront.search import indexing
from tests.aws_fixtures import MOTO
from tests.integration.search_calls import body_of, indexer_function, published_etag, search
from tests.support import FakeContext

pytestmark = [pytest.mark.usefixtures("search_aws"), pytest.mark.parametrize("aws", [MOTO], indirect=True)]


class _CloudFormation(BaseHTTPRequestHandler):
    """Receives the answers PUT to the presigned ResponseURL, as CloudFormation does."""

    answers: list[dict[str, Any]]

    def do_PUT(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).answers.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def cloudformation() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A ResponseURL on 127.0.0.1 and the answers it received."""
    answers: list[dict[str, Any]] = []

    class Answers(_CloudFormation):
        pass

    Answers.answers = answers
    server = HTTPServer(("127.0.0.1", 0), Answers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/presigned", answers
    finally:
        server.shutdown()
        server.server_close()


def custom_resource_event(request_type: str, response_url: str) -> dict[str, Any]:
    return {
        "RequestType": request_type,
        "ResponseURL": response_url,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/shop/1",
        "RequestId": f"request-{request_type}",
        "LogicalResourceId": "SearchIndex",
        "ResourceType": "Custom::SearchIndex",
        "ResourceProperties": {"ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:indexer"},
    }


def test_first_search_answers_an_empty_page_when_the_stack_was_just_created(
    cloudformation: tuple[str, list[dict[str, Any]]],
) -> None:
    url, answers = cloudformation
    assert published_etag() is None  # a new stack's bucket

    assert indexer_function.lambda_handler(custom_resource_event("Create", url), FakeContext()) == {}

    [answer] = answers
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("SUCCESS", "search-index")
    assert (answer["RequestId"], answer["LogicalResourceId"]) == ("request-Create", "SearchIndex")
    response = search()
    assert response["statusCode"] == 200, response
    assert body_of(response)["items"] == []
    assert body_of(response)["next_cursor"] is None


def test_an_existing_index_is_kept_when_the_resource_is_created_again_updated_or_deleted(
    cloudformation: tuple[str, list[dict[str, Any]]],
) -> None:
    url, answers = cloudformation
    indexer_function.lambda_handler(custom_resource_event("Create", url), FakeContext())
    first = published_etag()

    for request_type in ("Create", "Update", "Delete"):
        indexer_function.lambda_handler(custom_resource_event(request_type, url), FakeContext())

    assert [answer["Status"] for answer in answers] == ["SUCCESS"] * 4
    assert published_etag() == first is not None


def test_custom_resource_reports_failure_instead_of_hanging_when_the_index_cannot_be_built(
    cloudformation: tuple[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, answers = cloudformation

    def busy(*args: Any, **kwargs: Any) -> None:
        raise indexing.IndexBusy("Another writer holds the search index lease.")

    monkeypatch.setattr(indexing, "ensure_index", busy)
    indexer_function.lambda_handler(custom_resource_event("Create", url), FakeContext())

    [answer] = answers
    assert (answer["Status"], answer["Reason"]) == ("FAILED", "IndexBusy")  # the error's type, never its message
