"""Load a demo catalog through the HTTP API: `make seed`.

    python -m devkit.seed [--products N] [--seed S] [--no-images] [--workers W]
                          [--data-dir DIR | --api-url URL | --stack-name NAME] [--email E] [--password P]

Everything goes through the public API as a manager would do it, so it works the same
on the local runtime and on a deployed stack. By default it targets the running local
runtime (its `runtime.json`) and signs in as the local admin (LOCAL_ADMIN_EMAIL /
LOCAL_ADMIN_PASSWORD or their defaults); `--api-url` or `--stack-name` (the stack's
ApiUrl output) target a deployed stack, with `--email` and `--password` (asked for when
left out) of a manager or an admin. Re-running adds nothing: categories are matched by
slug and products by their SKUs (409 means "already there").
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import requests

from devkit import localstate
from devkit.catalog_generator import LOW_STOCK_AT
from devkit.localrun.__main__ import DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD
from devkit.seed_api import RETRIES, TIMEOUT_S, Api, SeedError, Target, detail
from devkit.seed_catalog import (
    CategorySpec,
    ProductSpec,
    card_png,
    categories_of,
    demo_products,
    initials,
)


@dataclass
class Summary:
    categories_created: int = 0
    categories_existing: int = 0
    products_created: list[str] = field(default_factory=list)  # ids
    products_existing: int = 0
    variants: int = 0
    low_stock_variants: int = 0
    images: int = 0
    images_skipped: str | None = None  # why, when they were
    elapsed_s: float = 0.0

    def lines(self) -> list[str]:
        images = f"{self.images} uploaded" + (f" (skipped: {self.images_skipped})" if self.images_skipped else "")
        return [
            f"categories: {self.categories_created} created, {self.categories_existing} already there",
            f"products:   {len(self.products_created)} created, {self.products_existing} already there",
            f"variants:   {self.variants} created ({self.low_stock_variants} starting at or under their threshold)",
            f"images:     {images}",
            f"elapsed:    {self.elapsed_s:.1f} s",
        ]


def _problem(answer: requests.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _slugs(api: Api) -> dict[str, str]:
    answer = api.request("GET", "/v1/categories", auth=False)
    if answer.status_code != 200:
        raise SeedError(f"GET /v1/categories: {detail(answer)}")
    found: dict[str, str] = {}
    stack = list(answer.json())
    while stack:
        node = stack.pop()
        found[node["slug"]] = node["id"]
        stack.extend(node["children"])
    return found


def seed_categories(api: Api, summary: Summary, categories: tuple[CategorySpec, ...]) -> dict[str, str]:
    """The tree's slugs → ids, creating the missing ones of `categories` (parents first)."""
    ids = _slugs(api)
    for spec in categories:
        if spec.slug in ids:
            summary.categories_existing += 1
            continue
        answer = api.request("POST", "/v1/categories", spec.body(ids[spec.parent] if spec.parent else None))
        if answer.status_code == 409:  # created meanwhile by another run
            ids = _slugs(api)
            summary.categories_existing += 1
        elif answer.status_code != 201:
            raise SeedError(f"category {spec.slug}: {detail(answer)}")
        else:
            ids[spec.slug] = answer.json()["id"]
            summary.categories_created += 1
    return ids


class Seeder:
    def __init__(self, api: Api, summary: Summary, category_ids: dict[str, str], images: bool) -> None:
        self.api, self.summary, self.category_ids = api, summary, category_ids
        self.images = images
        self._lock = threading.Lock()

    def create(self, spec: ProductSpec) -> str | None:
        """The new product's id; None when its SKUs exist (an earlier run made it)."""
        body = {**spec.body, "category_id": self.category_ids[spec.category]}
        for attempt in range(RETRIES):
            answer = self.api.request("POST", "/v1/products", body)
            if answer.status_code == 201:
                return str(answer.json()["id"])
            if answer.status_code == 409 and "skus" in _problem(answer):
                return None
            if answer.status_code != 409:  # a 409 without `skus`: concurrent writes, try again
                break
            time.sleep(0.1 * (attempt + 1))
        raise SeedError(f"product {spec.body['name']!r}: {detail(answer)}")

    def upload(self, product_id: str, spec: ProductSpec) -> None:
        path = f"/v1/products/{product_id}/images"
        name = spec.body["name"]
        request = {"content_type": "image/png", "filename": f"{spec.index:04d}.png", "alt": name}
        answer = self.api.request("POST", path, request)
        if answer.status_code in (404, 405):
            with self._lock:
                self.images = False
                self.summary.images_skipped = f"POST /v1/products/{{id}}/images answered {answer.status_code}"
            return
        if answer.status_code != 201:
            raise SeedError(f"image of {name!r}: {detail(answer)}")
        form = answer.json()["upload"]
        picture = card_png(initials(name), spec.colour)
        # A presigned POST: the policy's fields first, the file last.
        sent = requests.post(
            form["url"], data=form["fields"], files={"file": ("card.png", picture, "image/png")}, timeout=TIMEOUT_S
        )
        if sent.status_code not in (200, 201, 204):
            raise SeedError(f"upload of the image of {name!r}: {sent.status_code} {sent.text[:200]}")
        with self._lock:
            self.summary.images += 1

    def __call__(self, spec: ProductSpec) -> None:
        product_id = self.create(spec)
        with self._lock:
            if product_id is None:
                self.summary.products_existing += 1
                return
            self.summary.products_created.append(product_id)
            self.summary.variants += len(spec.skus)
            self.summary.low_stock_variants += sum(v["initial_stock"] <= LOW_STOCK_AT for v in spec.body["variants"])
        if self.images:
            self.upload(product_id, spec)


def progress_bar(total: int, out: TextIO) -> Callable[[int], None]:
    def show(done: int) -> None:
        filled = 30 * done // max(total, 1)
        end = "\n" if done == total else ""
        out.write(f"\rproducts [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}{end}")
        out.flush()

    return show


def run(target: Target, products: int, seed: int = 1, images: bool = True, workers: int = 8) -> Summary:
    started, summary = time.monotonic(), Summary()
    api = Api(target)
    api.sign_in()
    specs = demo_products(products, seed)
    seeder = Seeder(api, summary, seed_categories(api, summary, categories_of(specs)), images)
    if not images:
        summary.images_skipped = "--no-images"
    show = progress_bar(products, sys.stderr)
    show(0)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(seeder, spec) for spec in specs]
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                future.result()
                show(done)
        except BaseException:
            for future in futures:
                future.cancel()
            sys.stderr.write("\n")
            raise
    if summary.images_skipped and images:
        warning = f"warning: images skipped: {summary.images_skipped}: this API has no image upload route"
        print(warning, file=sys.stderr)
    summary.elapsed_s = time.monotonic() - started
    return summary


def local_target(data_dir: Path) -> Target:
    state = localstate.read_state(data_dir)
    try:
        os.kill(int(state["pid"]), 0)
    except (OSError, KeyError, TypeError, ValueError):
        raise SeedError(f"the local runtime that wrote {localstate.state_file(data_dir)} is gone: `make dev`") from None
    if not state.get("api_url"):
        raise SeedError("the local runtime serves no HTTP API")
    email = os.environ.get("LOCAL_ADMIN_EMAIL") or DEFAULT_ADMIN_EMAIL
    return Target(str(state["api_url"]), email, os.environ.get("LOCAL_ADMIN_PASSWORD") or DEFAULT_ADMIN_PASSWORD)


def stack_api_url(stack_name: str, cloudformation: Any | None = None) -> str:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client = cloudformation or boto3.client("cloudformation")
        stack = client.describe_stacks(StackName=stack_name)["Stacks"][0]
    except (ClientError, BotoCoreError) as error:  # no such stack, no credentials, no region
        raise SeedError(f"stack {stack_name!r}: {error}") from error
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
    if "ApiUrl" not in outputs:
        raise SeedError(f"stack {stack_name!r} has no ApiUrl output: is it this application?")
    return str(outputs["ApiUrl"])


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python -m devkit.seed", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    target = main.add_mutually_exclusive_group()
    target.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("LOCAL_DATA_DIR") or localstate.DATA_DIR),
        help="the local runtime's data directory (env LOCAL_DATA_DIR; default .local)",
    )
    target.add_argument("--api-url", help="a deployed API's base URL")
    target.add_argument("--stack-name", help="a deployed stack: its ApiUrl output")
    main.add_argument("--email", help="a manager's or admin's email (deployed targets)")
    main.add_argument("--password", help="its password (asked for when left out)")
    main.add_argument("--products", type=int, default=200, help="how many products (default 200)")
    main.add_argument("--seed", type=int, default=1, help="the random seed: another seed, other products (default 1)")
    main.add_argument("--no-images", action="store_true", help="do not generate and upload product images")
    main.add_argument("--workers", type=int, default=8, help="concurrent requests (default 8)")
    return main


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    if arguments.products < 0 or arguments.workers < 1:
        raise SeedError("--products must be >= 0 and --workers >= 1")
    if arguments.api_url or arguments.stack_name:
        if not arguments.email:
            raise SeedError("--email (a manager or admin of that stack) is needed with --api-url or --stack-name")
        url = arguments.api_url or stack_api_url(arguments.stack_name)
        password = arguments.password or getpass.getpass(f"Password of {arguments.email}: ")
        target = Target(url, arguments.email, password)
    else:
        target = local_target(arguments.data_dir.resolve())
        target = Target(target.api_url, arguments.email or target.email, arguments.password or target.password)
    print(f"seeding {target.api_url} as {target.email}", file=sys.stderr)
    summary = run(target, arguments.products, arguments.seed, not arguments.no_images, arguments.workers)
    print("\n".join(summary.lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
