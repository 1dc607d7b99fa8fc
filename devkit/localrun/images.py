"""GET /_local/images/<key>: the images bucket's published objects, as the CDN serves them.

In AWS, CloudFront serves `images/...` and `.well-known/...` (the token issuer's discovery
document and JWKS) of the bucket; locally this read-only route does, so the image URLs
the API answers (IMAGES_BASE_URL) open in a browser and the local issuer is a real URL.
Uploads (`uploads/...`) are never served, as CloudFront never serves them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import ClientError
from werkzeug.wrappers import Request, Response

LOCAL_IMAGES_PATH = "/_local/images"
SERVED_PREFIXES = ("images/", ".well-known/")


class LocalImages:
    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3, self.bucket = s3, bucket

    @staticmethod
    def handles(path: str) -> bool:
        return path.startswith(LOCAL_IMAGES_PATH + "/")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self.answer(Request(environ))(environ, start_response)

    def answer(self, request: Request) -> Response:
        if request.method != "GET":
            return Response("Method Not Allowed", status=405, headers={"Allow": "GET"}, content_type="text/plain")
        key = request.path[len(LOCAL_IMAGES_PATH) + 1 :]
        if not key.startswith(SERVED_PREFIXES) or ".." in key.split("/"):
            return _not_found()
        try:
            found = self.s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError:
            return _not_found()
        headers = {"Cache-Control": str(found.get("CacheControl") or "no-cache")}
        content_type = str(found.get("ContentType") or "application/octet-stream")
        return Response(found["Body"].read(), status=200, headers=headers, content_type=content_type)


def _not_found() -> Response:
    return Response("Not Found", status=404, content_type="text/plain")
