"""Every key of the single table is built here, and only here.

Key typos are the commonest single-table bug; one module makes them impossible to
scatter. See docs/data-model.md for the entity chart and access patterns.
"""

from __future__ import annotations

SEPARATOR = "#"


def _key(*parts: str) -> str:
    return SEPARATOR.join(parts)


def health_probe() -> tuple[str, str]:
    """A fixed key the health check reads: proves the table answers reads."""
    return _key("HEALTH"), _key("PROBE")


# ---------------------------------------------------------------- identity


def user(user_id: str) -> tuple[str, str]:
    """The user's profile item: email, name, role, password hash, disabled flag."""
    return _key("USER", user_id), "PROFILE"


def user_account_prefix() -> str:
    """Sort-key prefix of the profile and its spending items: one Query reads the whole account."""
    return "PROFILE"


def user_spending(user_id: str, currency: str) -> tuple[str, str]:
    """The user's purchase counters in one currency (ISO 4217), next to the profile."""
    return _key("USER", user_id), _key(user_account_prefix(), "SPENT", currency)


def email_claim(normalised_email: str) -> tuple[str, str]:
    """One item per email in use: makes emails unique and maps an email to its user."""
    return _key("EMAIL", normalised_email), "EMAIL"


def refresh_token(token_hash: str) -> tuple[str, str]:
    """A refresh token, addressed by the SHA-256 hex of its value (never the value)."""
    return _key("REFRESH", token_hash), "REFRESH"


def token_family(user_id: str, family_id: str) -> tuple[str, str]:
    """A sign-in session: every refresh token rotated from one login shares it."""
    return _key("USER", user_id), _key("FAMILY", family_id)


def login_attempts(scope: str, subject: str, window: int) -> tuple[str, str]:
    """Login attempt counter of one email or source IP (`scope`) in one time window."""
    return _key("LOGIN", scope, subject), _key("WINDOW", str(window))


def login_attempts_from(source: str, email: str, window: int) -> tuple[str, str]:
    """Login attempt counter of one email from one source address in one time window.

    The address comes first: it never contains the separator, an email may.
    """
    return _key("LOGIN", "IP_EMAIL", source, email), _key("WINDOW", str(window))


def users_index(user_id: str) -> tuple[str, str]:
    """GSI1 keys of a user: every user in one partition, in sign-up order (ids are ULIDs)."""
    return "USERS", _key("USER", user_id)


def users_index_partition() -> str:
    return "USERS"


def users_index_prefix() -> str:
    """Sort-key prefix of the users in GSI1 (Query with begins_with)."""
    return _key("USER", "")


def address(user_id: str, address_id: str) -> tuple[str, str]:
    """A saved address, in its owner's partition: another user's id can never reach it."""
    return _key("USER", user_id), _key("ADDRESS", address_id)


def address_prefix() -> str:
    """Sort-key prefix of a user's addresses (Query with begins_with)."""
    return _key("ADDRESS", "")


def wish(user_id: str, product_id: str) -> tuple[str, str]:
    """A product on a user's wishlist, in the user's partition: another user's list is unreachable."""
    return _key("USER", user_id), _key("WISH", product_id)


def wish_prefix() -> str:
    """Sort-key prefix of a user's wishlist items (Query with begins_with)."""
    return _key("WISH", "")


# ---------------------------------------------------------------- inventory


def stock(sku: str) -> tuple[str, str]:
    """The stock item of one SKU: on hand, reserved, available, low-stock threshold."""
    return _key("SKU", sku), "STOCK"


def low_stock_index(sku: str) -> tuple[str, str]:
    """GSI2 keys of a stock item, present only while it is low (a sparse index)."""
    return "LOWSTOCK", _key("SKU", sku)


def low_stock_index_partition() -> str:
    return "LOWSTOCK"


# ---------------------------------------------------------------- catalog


def categories_partition() -> str:
    """Every category lives in one partition: the whole tree is one Query."""
    return "CATEGORIES"


def category(category_id: str) -> tuple[str, str]:
    """A category: name, slug, parent, own attribute definitions, child and product counters."""
    return categories_partition(), _key("CATEGORY", category_id)


def category_prefix() -> str:
    """Sort-key prefix of the categories (Query with begins_with)."""
    return _key("CATEGORY", "")


def category_slug(slug: str) -> tuple[str, str]:
    """One item per category slug in use: makes category slugs unique."""
    return _key("CATEGORY_SLUG", slug), "SLUG"


def product(product_id: str) -> tuple[str, str]:
    """A product; its variants share its partition."""
    return _key("PRODUCT", product_id), "PRODUCT"


def variant(product_id: str, sku: str) -> tuple[str, str]:
    """A variant (one SKU) of a product, in the product's partition."""
    return _key("PRODUCT", product_id), _key("PRODUCT", "VARIANT", sku)


def product_image(product_id: str, image_id: str) -> tuple[str, str]:
    """An image of a product (pending, ready or failed), in the product's partition."""
    return _key("PRODUCT", product_id), _key("PRODUCT", "IMAGE", image_id)


def product_image_prefix() -> str:
    """Sort-key prefix of a product's images (Query with begins_with)."""
    return _key("PRODUCT", "IMAGE", "")


def product_items_prefix() -> str:
    """Sort-key prefix of the product item and its variants (Query with begins_with).

    Other slices may keep items in a product's partition (reviews, images): the catalog's
    own all start with PRODUCT, so its Query never reads theirs.
    """
    return "PRODUCT"


def product_view_index(product_id: str, kind: str, sku: str | None = None) -> tuple[str, str]:
    """GSI1 keys that gather a product, its variants and their stock items in one partition.

    `kind` is PRODUCT, VARIANT or STOCK (the last two with their SKU), or IMAGE with the
    image id (a ready image only: pending ones stay out of the view): the public product
    read is one Query on GSI1PK = PRODUCT_VIEW#<id>.
    """
    return product_view_partition(product_id), kind if sku is None else _key(kind, sku)


def product_view_partition(product_id: str) -> str:
    return _key("PRODUCT_VIEW", product_id)


def product_slug(slug: str) -> tuple[str, str]:
    """One item per product slug in use: makes product slugs unique in the store."""
    return _key("PRODUCT_SLUG", slug), "SLUG"


def sku_claim(sku: str) -> tuple[str, str]:
    """One item per SKU ever used: makes SKUs unique store-wide and maps a SKU to its product."""
    return _key("SKU", sku), "SKU"


# ---------------------------------------------------------------- reviews

# Review times in index sort keys are zero-padded epoch seconds, so text order is time order.
_TIME_DIGITS = 12


def _at(epoch_seconds: int) -> str:
    return f"{epoch_seconds:0{_TIME_DIGITS}d}"


def review(review_id: str) -> tuple[str, str]:
    """A review: its author, product, rating, text, status and moderation."""
    return _key("REVIEW", review_id), "REVIEW"


def review_claim(product_id: str, user_id: str) -> tuple[str, str]:
    """One item per (product, author) with a review: makes a second review of a product a 409.

    In the product's partition; its sort key does not start with PRODUCT, so the catalog's
    own Query (product_items_prefix) never reads it.
    """
    return _key("PRODUCT", product_id), _key("REVIEW_BY", user_id)


def approved_reviews_partition(product_id: str) -> str:
    """GSI1 and GSI2 partition of a product's approved reviews (only approved ones carry it)."""
    return _key("REVIEWS", product_id)


def approved_reviews_by_time(product_id: str, submitted_at: int, review_id: str) -> tuple[str, str]:
    """GSI1 keys of an approved review: a product's reviews by submission time (newest sort)."""
    return approved_reviews_partition(product_id), _key(_at(submitted_at), review_id)


def approved_reviews_by_rating(product_id: str, rating: int, submitted_at: int, review_id: str) -> tuple[str, str]:
    """GSI2 keys of an approved review: a product's reviews by rating (1-5), then time."""
    return approved_reviews_partition(product_id), _key(str(rating), _at(submitted_at), review_id)


def pending_reviews_partition() -> str:
    """GSI1 partition of the moderation queue: every pending review, oldest submission first."""
    return "REVIEWS_PENDING"


def pending_reviews_index(submitted_at: int, review_id: str) -> tuple[str, str]:
    """GSI1 keys of a pending review (removed when it is approved or rejected)."""
    return pending_reviews_partition(), _key(_at(submitted_at), review_id)


# ---------------------------------------------------------------- carts


def user_cart_owner(user_id: str) -> str:
    """The owner part of a signed-in customer's cart partition."""
    return _key("USER", user_id)


def guest_cart_owner(token_hash: str) -> str:
    """The owner part of a guest cart's partition: the SHA-256 hex of its token, never the token."""
    return _key("GUEST", token_hash)


def cart_partition(owner: str) -> str:
    """A cart's partition: its header and its lines, read together by one Query."""
    return _key("CART", owner)


def cart_header(owner: str) -> tuple[str, str]:
    """A cart's header: its generation (`cart_id`), its SKUs, currency and expiry (TTL)."""
    return cart_partition(owner), "CART"


def cart_line(owner: str, sku: str) -> tuple[str, str]:
    """One line (a SKU and its quantity) of a cart, in the cart's partition."""
    return cart_partition(owner), _key("LINE", sku)


# ---------------------------------------------------------------- checkout and orders


def checkout(user_id: str, checkout_id: str) -> tuple[str, str]:
    """A checkout, in its owner's partition: another user's checkout id can never reach it."""
    return _key("USER", user_id), _key("CHECKOUT", checkout_id)


def idempotency_partition(operation: str) -> str:
    """The partition of an operation's idempotency records (Powertools: SK `<operation>#<hash of user and key>`)."""
    return _key("IDEMPOTENCY", operation)


def order(order_id: str) -> tuple[str, str]:
    """An order: its lines, addresses, payment and history in one item (id = its checkout's id)."""
    return _key("ORDER", order_id), "ORDER"


def order_number_claim(number: str) -> tuple[str, str]:
    """One item per order number in use: makes the short human numbers unique."""
    return _key("ORDER_NUMBER", number), "ORDER_NUMBER"


def user_orders_partition(user_id: str) -> str:
    return _key("ORDERS", "USER", user_id)


def user_orders_index(user_id: str, order_id: str) -> tuple[str, str]:
    """GSI1 keys of an order: its owner's orders, in order of creation (ids are ULIDs)."""
    return user_orders_partition(user_id), _key("ORDER", order_id)


def orders_by_status_partition(status: str) -> str:
    return _key("ORDERS", "STATUS", status)


def orders_by_status_index(status: str, order_id: str, payment_deadline: int | None = None) -> tuple[str, str]:
    """GSI2 keys of an order: the orders in one status, in order of creation.

    Moved by every status change. An unpaid order sorts by its payment deadline (12
    digits, then its id): the expiry reads `pending_payment` in deadline order, which
    creation order is not (a checkout's id is its opening time; the deadline counts from
    completion, and differs per payment method).
    """
    if payment_deadline is not None:
        return orders_by_status_partition(status), _key("ORDER", f"{payment_deadline:012d}", order_id)
    return orders_by_status_partition(status), _key("ORDER", order_id)


def all_orders_partition() -> str:
    return _key("ORDERS", "ALL")


def all_orders_index(order_id: str) -> tuple[str, str]:
    """GSI3 keys of an order: every order of the store, in order of creation.

    One partition, written once per order: GSI3 projects keys only, so an order's later
    writes never touch it (docs/data-model.md, "Every order").
    """
    return all_orders_partition(), _key("ORDER", order_id)


def order_index_prefix() -> str:
    """Sort-key prefix of the orders in GSI1, GSI2 and GSI3 (Query with begins_with)."""
    return _key("ORDER", "")


def stripe_event(event_id: str) -> tuple[str, str]:
    """A Stripe event already applied: written in the same transaction as its effect."""
    return _key("STRIPE_EVENT", event_id), "STRIPE_EVENT"


# ---------------------------------------------------------------- shipping


def webhook_endpoints() -> tuple[str, str]:
    """Every partner webhook endpoint of the store, in one item (at most 20 of them)."""
    return "WEBHOOKS", "ENDPOINTS"


def webhook_attempts_partition(endpoint_id: str) -> str:
    """An endpoint's delivery log: one item per attempt, newest last by sort key."""
    return _key("WEBHOOK", endpoint_id)


def webhook_attempt_prefix() -> str:
    return "ATTEMPT#"


def webhook_attempt(endpoint_id: str, attempt_id: str) -> tuple[str, str]:
    """One delivery attempt; `attempt_id` is a ULID of the attempt's millisecond, so the log sorts by time."""
    return webhook_attempts_partition(endpoint_id), webhook_attempt_prefix() + attempt_id


def shipping_config() -> tuple[str, str]:
    """Every shipping zone of the store in one item: one conditional write keeps them consistent."""
    return "SHIPPING", "CONFIG"


# ---------------------------------------------------------------- search


def search_writer_lease() -> tuple[str, str]:
    """The one lease a search index writer holds while it builds and publishes the index."""
    return _key("SEARCH_INDEX"), "WRITER"


# ---------------------------------------------------------------- events


def outbox_event(event_id: str) -> tuple[str, str]:
    """An event waiting in the outbox for the stream relay (expires after 15 days)."""
    return _key("OUTBOX", event_id), "EVENT"
