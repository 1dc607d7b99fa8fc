"""Searching the index: text matching, filters, sorts, keyset pages and facets, on small hand-made catalogs."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storefront.domain.catalog.entities import AttributeValue, Category, Product, Variant
from storefront.domain.errors import BadRequest, Unprocessable
from storefront.search.build import build_index
from storefront.search.documents import SearchDocument, document_of
from storefront.search.query import MAX_PRICE, SORTS, SearchIndex, SearchQuery, SearchResult, match_expression
from storefront.search.schema import open_index

CATEGORIES = [
    Category("clothing", "Clothing", "clothing", None, {}, 1, 1),
    Category("shoes", "Shoes", "shoes", "clothing", {}, 1, 1),
    Category("running", "Running shoes", "running", "shoes", {}, 1, 1),
    Category("jackets", "Jackets", "jackets", "clothing", {}, 1, 1),
    Category("home", "Home", "home", None, {}, 1, 1),
]


def product(
    product_id: str,
    name: str,
    *,
    description: str = "",
    category_id: str = "shoes",
    brand: str | None = None,
    price: int = 1000,
    attributes: dict[str, AttributeValue] | None = None,
    tags: tuple[str, ...] = (),
    available: int = 1,
    rating: float | None = None,
    rating_count: int = 0,
    created_at: int = 1_700_000_000,
) -> Product:
    return Product(
        id=product_id,
        name=name,
        slug=product_id.lower(),
        description=description,
        category_id=category_id,
        brand=brand,
        price=price,
        currency="EUR",
        attributes=dict(attributes or {}),
        tags=list(tags),
        status="active",
        created_at=created_at,
        updated_at=created_at,
        variants=[Variant(f"{product_id}-SKU", {}, None, available=available)],
        rating_average=rating,
        rating_count=rating_count,
    )


def documents(*products: Product) -> list[SearchDocument]:
    found = [document_of(item) for item in products]
    return [item for item in found if item is not None]


@pytest.fixture
def make_index(tmp_path: Path) -> Iterator[Any]:
    connections: list[sqlite3.Connection] = []

    def make(*products: Product) -> SearchIndex:
        path = tmp_path / f"index-{len(connections)}.sqlite"
        build_index(path, documents(*products), CATEGORIES)
        connections.append(open_index(path, readonly=True))
        return SearchIndex(connections[-1])

    yield make
    for connection in connections:
        connection.close()


def ids(result: SearchResult) -> list[str]:
    return [item["id"] for item in result.items]


def every_page(index: SearchIndex, query: SearchQuery) -> list[str]:
    found: list[str] = []
    after: dict[str, Any] | None = None
    for _ in range(100):
        result = index.search(SearchQuery(**{**query.__dict__, "after": after}))
        found.extend(ids(result))
        if result.last_key is None:
            return found
        assert len(result.items) == query.limit
        after = result.last_key
    raise AssertionError("paging never ended")


def test_a_name_match_ranks_above_a_description_only_match_when_sorted_by_relevance(make_index: Any) -> None:
    index = make_index(
        product("A", "Trail jacket", description="Warm and light, pairs well with boots."),
        product("B", "Leather boots", description="Sturdy soles."),
        product("C", "Wool socks", description="For cold days."),
    )
    result = index.search(SearchQuery(q="boots"))
    assert ids(result) == ["B", "A"]
    assert result.total == 2


def test_the_last_word_matches_as_a_prefix_when_typed_partly(make_index: Any) -> None:
    index = make_index(product("A", "Running shoe"), product("B", "Runner's cap"), product("C", "Walking shoe"))
    assert sorted(ids(index.search(SearchQuery(q="runn")))) == ["A", "B"]
    assert ids(index.search(SearchQuery(q="runn shoe"))) == []  # only the last word is a prefix
    assert ids(index.search(SearchQuery(q="shoe runn"))) == ["A"]


def test_diacritics_and_case_are_folded_when_matching_either_way(make_index: Any) -> None:
    index = make_index(product("A", "Café au lait mug"), product("B", "Creme brulee torch"))
    assert ids(index.search(SearchQuery(q="CAFE"))) == ["A"]
    assert ids(index.search(SearchQuery(q="crème"))) == ["B"]
    assert ids(index.search(SearchQuery(q="créme brûlée"))) == ["B"]


@pytest.mark.parametrize(
    "q",
    ['"shoe', "shoe*", "NEAR(shoe red)", "-shoe", "(shoe", "shoe OR red", "^shoe", "name:shoe", "shoe AND NOT red"],
)
def test_fts_syntax_in_q_is_read_as_words_when_searching(make_index: Any, q: str) -> None:
    index = make_index(
        product("A", "Red shoe near the door", tags=("and", "not", "or", "name")),
        product("B", "Blue shoe"),
    )
    result = index.search(SearchQuery(q=q))  # never an sqlite3 error
    assert "A" in ids(result) or "red" not in q.lower()
    assert all("shoe" in item["name"].lower() for item in result.items)


def test_operator_words_are_plain_words_when_they_appear_in_q(make_index: Any) -> None:
    index = make_index(product("A", "Cats OR dogs bowl"), product("B", "Cats bowl"))
    assert ids(index.search(SearchQuery(q="cats OR dogs"))) == ["A"]
    assert ids(index.search(SearchQuery(q="NOT"))) == []


@pytest.mark.parametrize("q", ["***", '" " -', "()^:", "_"])
def test_q_without_a_letter_or_digit_is_refused_when_searching(make_index: Any, q: str) -> None:
    index = make_index(product("A", "Shoe"))
    with pytest.raises(Unprocessable):
        index.search(SearchQuery(q=q))


def test_a_blank_q_lists_everything_newest_first_when_searching(make_index: Any) -> None:
    index = make_index(product("A", "Shoe", created_at=1), product("B", "Boot", created_at=2))
    assert ids(index.search(SearchQuery(q="   "))) == ["B", "A"]


def test_relevance_is_refused_when_there_is_no_q(make_index: Any) -> None:
    index = make_index(product("A", "Shoe"))
    with pytest.raises(Unprocessable):
        index.search(SearchQuery(sort="relevance"))


def test_match_expression_quotes_every_word_and_prefixes_the_last_when_built() -> None:
    assert match_expression('NEAR(a "b") -c*') == '"NEAR" "a" "b" "c"'
    assert match_expression("red runn") == '"red" "runn"*'
    assert match_expression("*^:") is None
    assert match_expression(" ".join(["w"] * 40)) == " ".join(['"w"'] * 16)


@pytest.mark.parametrize("q", [None, "shoe"])
def test_a_category_filter_includes_descendants_and_excludes_siblings_when_given(make_index: Any, q: str) -> None:
    index = make_index(
        product("A", "Road shoe", category_id="running"),
        product("B", "Court shoe", category_id="shoes"),
        product("C", "Shoe rain jacket", category_id="jackets"),
        product("D", "Shoe rack", category_id="home"),
    )
    assert sorted(ids(index.search(SearchQuery(q=q, category_id="shoes")))) == ["A", "B"]
    assert sorted(ids(index.search(SearchQuery(q=q, category_id="clothing")))) == ["A", "B", "C"]
    assert index.search(SearchQuery(q=q, category_id="nowhere")).total == 0


@pytest.mark.parametrize("q", [None, "shoe"])
def test_price_bounds_are_inclusive_when_filtering(make_index: Any, q: str) -> None:
    index = make_index(*(product(f"P{price}", "Shoe", price=price) for price in (999, 1000, 1500, 2000, 2001)))
    result = index.search(SearchQuery(q=q, min_price=1000, max_price=2000, sort="price_asc"))
    assert ids(result) == ["P1000", "P1500", "P2000"]


@pytest.mark.parametrize("q", [None, "shoe"])
def test_brand_and_stock_filters_match_when_given(make_index: Any, q: str) -> None:
    index = make_index(
        product("A", "Shoe", brand="Acme"),
        product("B", "Shoe", brand="ACME ", available=0),
        product("C", "Shoe", brand="Other"),
        product("D", "Shoe"),
    )
    assert sorted(ids(index.search(SearchQuery(q=q, brand="acme")))) == ["A", "B"]
    assert sorted(ids(index.search(SearchQuery(q=q, brand="acme", in_stock=True)))) == ["A"]
    assert sorted(ids(index.search(SearchQuery(q=q, in_stock=True)))) == ["A", "C", "D"]


@pytest.mark.parametrize("q", [None, "shoe"])
def test_attribute_filters_and_across_names_and_or_within_a_name_when_given(make_index: Any, q: str) -> None:
    index = make_index(
        product("A", "Shoe", attributes={"color": "Red", "size": 42, "waterproof": True}),
        product("B", "Shoe", attributes={"color": "Blue", "size": 42.0, "waterproof": False}),
        product("C", "Shoe", attributes={"color": "Green", "size": 44}),
        product("D", "Shoe", attributes={"color": "red", "size": 44.5}),
    )

    def matching(*pairs: tuple[str, str]) -> list[str]:
        return sorted(ids(index.search(SearchQuery(q=q, attributes=pairs))))

    assert matching(("color", "RED")) == ["A", "D"]
    assert matching(("color", "red"), ("color", "blue")) == ["A", "B", "D"]
    assert matching(("color", "red"), ("color", "blue"), ("size", "42")) == ["A", "B"]
    assert matching(("size", "44.5")) == ["D"]
    assert matching(("waterproof", "true")) == ["A"]
    with pytest.raises(Unprocessable) as refused:  # no category defines it and no product has it
        matching(("color", "red"), ("material", "wool"))
    assert [error.field for error in refused.value.errors or []] == [("attr.material",)]


def catalog_with_ties() -> list[Product]:
    """57 products with many equal prices, dates and ratings (some unrated) so ties need the id."""
    return [
        product(
            f"P{number:02d}",
            "Shoe" if number % 2 else "Plain shoe",
            price=1000 + (number % 5) * 100,
            created_at=1_700_000_000 + number % 7,
            rating=None if number % 4 == 0 else 3 + (number % 3) * 0.5,
            rating_count=number % 3,
        )
        for number in range(57)
    ]


def expected_order(products: list[Product], sort: str) -> list[str]:
    keys: dict[str, Any] = {
        "newest": lambda item: (-item.created_at, [-ord(char) for char in item.id]),
        "price_asc": lambda item: (item.price, item.id),
        "price_desc": lambda item: (-item.price, [-ord(char) for char in item.id]),
        "rating": lambda item: (
            item.rating_average is None,
            -(item.rating_average or 0),
            -item.rating_count,
            item.id,
        ),
    }
    return [item.id for item in sorted(products, key=keys[sort])]


@pytest.mark.parametrize("sort", [sort for sort in SORTS if sort != "relevance"])
def test_each_sort_orders_and_pages_every_match_exactly_once_when_paging(make_index: Any, sort: Any) -> None:
    products = catalog_with_ties()
    index = make_index(*products)
    found = every_page(index, SearchQuery(sort=sort, limit=10, facets=False))
    assert found == expected_order(products, sort)
    with_text = every_page(index, SearchQuery(q="shoe", sort=sort, limit=10))
    assert with_text == expected_order(products, sort)


def test_relevance_pages_every_match_exactly_once_in_score_then_id_order_when_paging(make_index: Any) -> None:
    index = make_index(*catalog_with_ties())
    found = every_page(index, SearchQuery(q="shoe", limit=10))
    odd = sorted(f"P{number:02d}" for number in range(57) if number % 2)
    even = sorted(f"P{number:02d}" for number in range(57) if not number % 2)
    assert found == odd + even  # "Shoe" is a closer name match than "Plain shoe"; ties by id
    assert every_page(index, SearchQuery(q="shoe", limit=100)) == found


def test_the_last_page_has_no_last_key_when_the_matches_end_exactly(make_index: Any) -> None:
    index = make_index(*(product(f"P{number}", "Shoe") for number in range(4)))
    first = index.search(SearchQuery(limit=2))
    assert first.last_key is not None
    second = index.search(SearchQuery(limit=2, after=first.last_key))
    assert len(second.items) == 2
    assert second.last_key is None


@pytest.mark.parametrize(
    "after",
    [
        {"s": "newest", "v": [1000, "P01"]},
        {"s": "price_asc", "v": [1000]},
        {"s": "price_asc", "v": ["1000", "P01"]},
        {"s": "price_asc", "v": [True, "P01"]},
        {"s": "price_asc", "v": [1000, 7]},
        {"s": "price_asc", "v": [1000.5, "P01"]},
        {"s": "price_asc", "v": [2**64, "P01"]},
        {"s": "price_asc", "v": [1000, "P01"], "x": 1},
        {"v": [1000, "P01"]},
        {"s": "price_asc", "v": {"price": 1000}},
    ],
)
def test_a_cursor_is_refused_when_it_does_not_fit_the_list(make_index: Any, after: dict[str, Any]) -> None:
    index = make_index(product("P01", "Shoe"))
    with pytest.raises(BadRequest):
        index.search(SearchQuery(sort="price_asc", after=after))


def test_a_rating_cursor_resumes_among_rated_or_unrated_products_when_given(make_index: Any) -> None:
    index = make_index(
        product("P01", "Shoe", rating=4.5, rating_count=2),
        product("P02", "Shoe", rating=4.5, rating_count=2),
        product("P03", "Shoe"),
        product("P04", "Shoe"),
    )
    after_rated = index.search(SearchQuery(sort="rating", after={"s": "rating", "v": [4.5, 2, "P01"]}))
    assert ids(after_rated) == ["P02", "P03", "P04"]
    after_unrated = index.search(SearchQuery(sort="rating", after={"s": "rating", "v": [None, 0, "P03"]}))
    assert ids(after_unrated) == ["P04"]


def test_a_relevance_cursor_is_refused_when_its_score_is_not_a_finite_number(make_index: Any) -> None:
    index = make_index(product("P01", "Shoe"))
    for score in (float("nan"), "1", None):
        with pytest.raises(BadRequest):
            index.search(SearchQuery(q="shoe", after={"s": "relevance", "v": [score, "P01"]}))


def test_an_unknown_sort_is_refused_when_searching(make_index: Any) -> None:
    index = make_index(product("A", "Shoe"))
    with pytest.raises(ValueError, match="sort"):
        index.search(SearchQuery(sort="cheapest"))  # type: ignore[arg-type]


@pytest.mark.parametrize("limit", [0, 101])
def test_a_limit_outside_one_to_a_hundred_is_refused_when_searching(make_index: Any, limit: int) -> None:
    index = make_index(product("A", "Shoe"))
    with pytest.raises(ValueError, match="limit"):
        index.search(SearchQuery(limit=limit))


@pytest.mark.parametrize("q", [None, "shoe"])
def test_facets_count_the_whole_match_not_the_page_when_asked(make_index: Any, q: str) -> None:
    index = make_index(
        product("A", "Shoe", brand="Acme", price=500, attributes={"color": "Red", "size": 42}),
        product("B", "Shoe", brand="acme", price=900, attributes={"color": "red"}, category_id="running"),
        product("C", "Shoe", brand="Zeta", price=700, attributes={"color": "Blue", "size": 42.0}),
        product("D", "Shoe", price=1200, attributes={"color": "Blue"}, category_id="running"),
        product("E", "Jacket", brand="Zeta", price=5, category_id="jackets", attributes={"color": "Black"}),
    )
    result = index.search(SearchQuery(q=q, category_id="shoes", limit=1))
    assert len(result.items) == 1
    assert result.total == 4
    facets = result.facets
    assert facets is not None
    assert facets.brand == {"Acme": 2, "Zeta": 1}  # one brand whatever its case, shown as stored
    assert facets.category == {"shoes": 2, "running": 2}
    assert facets.attributes == {"color": {"Blue": 2, "Red": 2}, "size": {"42": 2}}
    assert (facets.price_min, facets.price_max) == (500, 1200)
    assert index.search(SearchQuery(q=q, facets=False)).facets is None


def test_facets_keep_the_hundred_most_frequent_values_when_there_are_more(make_index: Any) -> None:
    products = [product(f"P{number:03d}", "Shoe", brand=f"Brand {number:03d}") for number in range(105)]
    products.append(product("X", "Shoe", brand="Brand 104"))
    facets = make_index(*products).search(SearchQuery(q="shoe")).facets
    assert facets is not None
    assert len(facets.brand) == 100
    assert next(iter(facets.brand.items())) == ("Brand 104", 2)
    assert "Brand 000" in facets.brand
    assert "Brand 103" not in facets.brand  # ties by value: the last ones are left out


def test_cards_are_returned_as_stored_when_found(make_index: Any) -> None:
    index = make_index(product("A", "Shoe", brand="Acme", attributes={"size": 42}, rating=4.5, rating_count=3))
    assert index.search(SearchQuery(q="shoe")).items == [
        {
            "id": "A",
            "slug": "a",
            "name": "Shoe",
            "brand": "Acme",
            "category_id": "shoes",
            "price": 1000,
            "currency": "EUR",
            "in_stock": True,
            "rating": {"average": 4.5, "count": 3},
            "image": None,
            "tags": [],
            "attributes": {"size": 42},
            "created_at": "2023-11-14T22:13:20Z",
            "updated_at": "2023-11-14T22:13:20Z",
        }
    ]


def test_a_numeric_attribute_filter_matches_however_the_number_is_written(make_index: Any) -> None:
    index = make_index(
        product("P1", "Big Tent", attributes={"capacity": 42}),
        product("P2", "Small Tent", attributes={"capacity": 4.5}),
        product("P3", "Code Tent", attributes={"model": "007"}),
    )
    for written in ("42", "42.0", "42.00", " 42 "):
        assert ids(index.search(SearchQuery(attributes=(("capacity", written),)))) == ["P1"], written
    assert ids(index.search(SearchQuery(attributes=(("capacity", "4.50"),)))) == ["P2"]
    assert index.search(SearchQuery(attributes=(("capacity", "43"),))).total == 0
    assert ids(index.search(SearchQuery(attributes=(("model", "007"),)))) == ["P3"]  # a string stays as written


def test_no_text_a_user_can_type_breaks_the_match_expression(make_index: Any) -> None:
    """Fuzzing with FTS5's syntax characters, operators, accents and odd Unicode: only words or a 422."""
    index = make_index(product("P1", "Road Runner", description="Crème brûlée café"), product("P2", "Trail Shoe"))
    pieces = ['"', "'", "*", "-", "+", "^", ":", "(", ")", "{", "}", "[", "]", ",", ".", "NEAR", "AND", "OR", "NOT"]
    pieces += ["road", "runn", "café", "CRÈME", "ß", "İ", "\u0301", "\u200b", "\x00", "🏃", "😀x", "0", "_", "\\", " "]
    rng = random.Random(20261127)  # noqa: S311 - reproducible fuzzing, not crypto
    for _ in range(3000):
        q = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        try:
            result = index.search(SearchQuery(q=q, limit=5))
        except Unprocessable:
            assert match_expression(q) is None, q
        else:
            assert result.total <= 2, q


@pytest.mark.parametrize(("min_price", "max_price"), [(2**63, None), (None, 2**64), (-1, None), (None, MAX_PRICE + 1)])
def test_a_price_filter_outside_the_catalogs_bounds_is_refused_when_searching(
    make_index: Any, min_price: int | None, max_price: int | None
) -> None:
    index = make_index(product("A", "Shoe"))
    with pytest.raises(ValueError, match="price"):
        index.search(SearchQuery(min_price=min_price, max_price=max_price))


def test_the_highest_price_filter_is_accepted_when_it_is_the_catalogs_bound(make_index: Any) -> None:
    index = make_index(product("A", "Shoe"))
    assert ids(index.search(SearchQuery(min_price=0, max_price=MAX_PRICE))) == ["A"]
