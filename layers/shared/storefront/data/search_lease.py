"""The search index's writer lease: one item that at most one writer holds at a time.

A writer (the indexer function, the rebuild command) takes the lease with a conditional
Put (absent or expired), renews it while it works, and deletes it when done, each write
conditioned on being the holder. The lease is not the only guard: the index object is
published with a conditional PutObject on its ETag, so even a writer whose lease expired
mid-work (a stall) cannot overwrite a newer index.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError

from storefront.data import keys
from storefront.data.table import TableItem, deleted_if, saved_if

_CONDITION_FAILED = "ConditionalCheckFailedException"


class SearchLeaseItem(TableItem, discriminator="SearchLease"):
    holder = UnicodeAttribute()
    lease_until = NumberAttribute()  # epoch seconds; expired leases may be taken over


def acquire(holder: str, now: int, seconds: int) -> bool:
    """Access pattern SEARCH-LEASE-TAKE: Put if absent, expired or already ours."""
    pk, sk = keys.search_writer_lease()
    item = SearchLeaseItem(pk, sk, holder=holder, lease_until=now + seconds, expires_at=now + seconds + 86400)
    condition = (
        SearchLeaseItem.PK.does_not_exist() | (SearchLeaseItem.lease_until < now) | (SearchLeaseItem.holder == holder)
    )
    return saved_if(item, condition)


def renew(holder: str, now: int, seconds: int) -> bool:
    """Access pattern SEARCH-LEASE-RENEW: UpdateItem `lease_until` if we still hold it."""
    item = SearchLeaseItem(*keys.search_writer_lease())
    try:
        item.update(
            actions=[SearchLeaseItem.lease_until.set(now + seconds)], condition=SearchLeaseItem.holder == holder
        )
    except UpdateError as error:
        if error.cause_response_code == _CONDITION_FAILED:
            return False
        raise
    return True


def release(holder: str) -> None:
    """Access pattern SEARCH-LEASE-RELEASE: DeleteItem if we hold it (a lost lease is left alone)."""
    deleted_if(SearchLeaseItem(*keys.search_writer_lease()), SearchLeaseItem.holder == holder)
