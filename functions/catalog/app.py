"""The catalog: the category tree and products with their variants.

Reads are public and cacheable (ETag, Cache-Control, 304); a manager's bearer token on
GET /v1/products/{id} is verified here (the route has no authorizer) and shows drafts
and archived products, privately. Every write needs the manager role.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from storefront.domain.catalog import categories, products
from storefront.http.auth import Principal
from storefront.http.caching import cacheable, install_caching
from storefront.http.errors import checked_with
from storefront.http.openapi import responses
from storefront.http.params import CategoryId, Manager, ProductId, Sku
from storefront.http.resolver import http_handler, make_resolver
from storefront.http.responses import json_response, no_content
from storefront.http.viewer import optional_viewer
from storefront.models.catalog import (
    CategoryCreate,
    CategoryDetail,
    CategoryNode,
    CategoryPatch,
    ProductCreate,
    ProductDetail,
    ProductPatch,
    ProductVariantCreate,
    ProductVariantPatch,
)

app = make_resolver()
install_caching(app)

Viewer = Annotated[Principal | None, optional_viewer()]
_TAGS = ["Catalog"]


@app.get(
    "/v1/categories",
    summary="The whole category tree",
    tags=_TAGS,
    responses=responses(200, "The category tree, roots first", cached=True),
)
def category_tree() -> Response[list[CategoryNode]]:
    return cacheable(app, [CategoryNode.of(node) for node in categories.category_tree()])


@app.get(
    "/v1/categories/<category_id>",
    summary="A category with its ancestors and effective attributes",
    tags=_TAGS,
    responses=responses(200, "The category", cached=True),
)
def get_category(category_id: CategoryId) -> Response[CategoryDetail]:
    return cacheable(app, CategoryDetail.of(categories.get_category(category_id)))


@app.post(
    "/v1/categories",
    summary="Create a category (manager)",
    tags=_TAGS,
    responses=responses(201, "Created", errors={409: "The slug is taken"}),
)
@checked_with(categories.check_fields)
def create_category(body: CategoryCreate, principal: Manager) -> Response[CategoryDetail]:
    detail = categories.create_category(body.name, body.slug, body.parent_id, body.definitions())
    return json_response(CategoryDetail.of(detail), 201)


@app.patch(
    "/v1/categories/<category_id>",
    summary="Rename, re-slug or move a category (manager)",
    tags=_TAGS,
    responses=responses(
        200,
        "The changed category",
        errors={409: "The slug is taken, or the move would put it under itself or a descendant"},
    ),
)
@checked_with(categories.check_fields)
def patch_category(category_id: CategoryId, body: CategoryPatch, principal: Manager) -> Response[CategoryDetail]:
    return json_response(CategoryDetail.of(categories.update_category(category_id, body.changes())))


@app.delete(
    "/v1/categories/<category_id>",
    summary="Delete an empty category (manager)",
    tags=_TAGS,
    responses=responses(204, "Deleted", errors={409: "The category has subcategories or products"}),
)
def delete_category(category_id: CategoryId, principal: Manager) -> Response[None]:
    categories.delete_category(category_id)
    return no_content()


@app.get(
    "/v1/products/<product_id>",
    summary="A product with its variants and their availability",
    description="Public for active products, with their ready images. A manager's bearer token also shows "
    "drafts and archived products, and every image with its `status` (a failed one with its `failure_reason`); "
    "that view is answered `Cache-Control: private, no-store`. An invalid token is a 401.",
    tags=_TAGS,
    responses=responses(200, "The product", cached=True, errors={401: "The bearer token sent is invalid or expired"}),
)
def get_product(product_id: ProductId, viewer: Viewer) -> Response[ProductDetail]:
    viewer_id, viewer_role = (viewer.user_id, viewer.role) if viewer is not None else (None, None)
    product = products.get_product(product_id, viewer_id, viewer_role)
    personal = product.status != "active" or products.is_staff_view(viewer_role)
    return cacheable(app, ProductDetail.of(product), personal=personal)


@app.post(
    "/v1/products",
    summary="Create a product with its variants (manager)",
    tags=_TAGS,
    responses=responses(201, "Created", errors={409: "A SKU is already in use"}),
)
@checked_with(products.check_fields)
def create_product(body: ProductCreate, principal: Manager) -> Response[ProductDetail]:
    variants = [variant.new_variant() for variant in body.variants]
    return json_response(ProductDetail.of(products.create_product(body.fields(), variants)), 201)


@app.patch(
    "/v1/products/<product_id>",
    summary="Change a product (manager)",
    tags=_TAGS,
    responses=responses(200, "The changed product"),
)
@checked_with(products.check_fields)
def patch_product(product_id: ProductId, body: ProductPatch, principal: Manager) -> Response[ProductDetail]:
    return json_response(ProductDetail.of(products.update_product(product_id, body.changes())))


@app.delete(
    "/v1/products/<product_id>",
    summary="Archive a product (manager)",
    description="The product gets status `archived` and disappears for customers; orders keep referring to it.",
    tags=_TAGS,
    responses=responses(204, "Archived"),
)
def archive_product(product_id: ProductId, principal: Manager) -> Response[None]:
    products.archive_product(product_id)
    return no_content()


@app.post(
    "/v1/products/<product_id>/variants",
    summary="Add a variant (manager)",
    tags=_TAGS,
    responses=responses(201, "The product with the new variant", errors={409: "The SKU is already in use"}),
)
def add_variant(product_id: ProductId, body: ProductVariantCreate, principal: Manager) -> Response[ProductDetail]:
    return json_response(ProductDetail.of(products.add_variant(product_id, body.new_variant())), 201)


@app.patch(
    "/v1/products/<product_id>/variants/<sku>",
    summary="Change a variant (manager)",
    tags=_TAGS,
    responses=responses(200, "The product with the changed variant"),
)
def patch_variant(
    product_id: ProductId, sku: Sku, body: ProductVariantPatch, principal: Manager
) -> Response[ProductDetail]:
    return json_response(ProductDetail.of(products.update_variant(product_id, sku, body.changes())))


@app.delete(
    "/v1/products/<product_id>/variants/<sku>",
    summary="Remove a variant (manager)",
    description="The SKU stays reserved (orders refer to it). Removing the last variant is a 409.",
    tags=_TAGS,
    responses=responses(204, "Removed", errors={409: "It is the product's last variant"}),
)
def remove_variant(product_id: ProductId, sku: Sku, principal: Manager) -> Response[None]:
    products.remove_variant(product_id, sku)
    return no_content()


lambda_handler = http_handler(app)
