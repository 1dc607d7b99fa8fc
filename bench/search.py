"""Search benchmark: the SQLite FTS5 index against a DynamoDB-only search, on synthetic catalogs.

For each catalog size (10,000 and 100,000 products by default) a deterministic generator
(seeded `random.Random`) makes a realistic catalog: a category tree of 143 categories
under 8 roots, 300 brands, names built from per-category vocabularies, descriptions whose
words follow a Zipf-like frequency (so common words match many products), tags,
attributes, log-normal prices, ratings and two years of creation dates. The index is
built with `build_index` (timed, file size noted), then four kinds of queries run
in-process, each timed around `SearchIndex.search`:

- text: 1–3 words (the engine takes the last one as a prefix; some are cut short), no facets;
- text_category_facets: 1–2 words within a root or mid-level category, with facets;
- filters: a category, a price range, in stock and/or an attribute, newest first;
- price_sort: a category, cheapest or dearest first.

The same queries are then answered the DynamoDB-only way against DynamoDB Local (AWS's
engine, over HTTP on this machine): a Query per category and descendant on a
category-id index (a Scan where there is no category), then text matching, filters,
sorting and facets in memory. Results go to bench/results/search.json and bench/README.md.

Targets (issue): text + category + facets at 100,000 products: median ≤ 10 ms and
p95 ≤ 30 ms; a full build of 100,000 products ≤ 60 s. Reported, never asserted.
Not part of `make test`: run it with `make bench` or directly.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any, Final

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "shared")]

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

from bench.readme import write_section  # noqa: E402
from devkit.localrun.emulators import FAKE_CREDENTIALS, DynamoDBLocal, find_jar, find_java  # noqa: E402
from storefront.domain.catalog.entities import AttributeDefinition, AttributeValue, Category  # noqa: E402
from storefront.search.documents import SearchDocument, attribute_key, attribute_text  # noqa: E402
from storefront.search.index import build_index  # noqa: E402
from storefront.search.query import SearchIndex, SearchQuery, Sort  # noqa: E402
from storefront.search.schema import open_index  # noqa: E402

RESULTS: Final = ROOT / "bench" / "results" / "search.json"
SEED: Final = 20261127
NOW: Final = 1_764_201_600  # 2025-11-27T00:00:00Z: the catalog's "today", fixed so runs agree
TWO_YEARS: Final = 2 * 365 * 86_400
KINDS: Final = ("text", "text_category_facets", "filters", "price_sort")
KIND_LABELS: Final = {
    "text": "text only",
    "text_category_facets": "text + category + facets",
    "filters": "filters only (newest)",
    "price_sort": "category by price",
}
TARGET_SIZE: Final = 100_000
TARGETS: Final = {"text_category_facets_median_ms": 10.0, "text_category_facets_p95_ms": 30.0, "build_seconds": 60.0}
TABLE: Final = "storefront-bench-search"
CATEGORY_INDEX: Final = "by-category"
SCAN_SEGMENTS: Final = 16
READ_THREADS: Final = 4

# ---------------------------------------------------------------------------------------
# The synthetic catalog
# ---------------------------------------------------------------------------------------

# Two spaces of indent per level; a leaf names the nouns its products are called by.
CATEGORY_TREE: Final = """
Clothing
  Men
    Shirts
      Oxford shirts = Oxford shirt
      Flannel shirts = flannel shirt
      Linen shirts = linen shirt
    Trousers = chinos, trousers, cargo trousers
    Jeans = jeans
    Jackets
      Rain jackets = rain jacket
      Bomber jackets = bomber jacket
    Knitwear = jumper, cardigan
  Women
    Dresses
      Summer dresses = summer dress
      Wrap dresses = wrap dress
    Tops = blouse, top
    Skirts = skirt
    Coats = coat, trench coat
    Knitwear = jumper, cardigan
  Kids
    Baby = bodysuit, romper
    T-shirts = T-shirt
    Outerwear = parka
  Accessories
    Hats = beanie, cap, sun hat
    Scarves = scarf
    Belts = belt
    Socks = socks
Shoes
  Men's shoes
    Sneakers = sneaker
    Boots
      Chelsea boots = Chelsea boot
      Hiking boots = hiking boot
    Loafers = loafer
  Women's shoes
    Sneakers = sneaker
    Sandals = sandal
    Heels = pump, heel
    Ankle boots = ankle boot
  Running
    Road running = running shoe
    Trail running = trail shoe
  Slippers = slipper
Home & Kitchen
  Cookware
    Pans
      Frying pans = frying pan
      Sauté pans = sauté pan
      Woks = wok
    Pots = stockpot, saucepan
    Dutch ovens = Dutch oven
  Coffee & tea
    Espresso machines = espresso machine
    Grinders = coffee grinder
    Teapots = teapot
    Cafetières = cafetière
  Tableware
    Plates = plate
    Mugs = mug
    Glasses = wine glass, tumbler
  Bedding
    Duvet covers = duvet cover
    Pillows = pillow
    Sheets = fitted sheet
  Decor
    Lamps
      Table lamps = table lamp
      Floor lamps = floor lamp
    Candles = candle
    Vases = vase
    Rugs = rug
Electronics
  Audio
    Headphones
      Over-ear headphones = headphones
      Earbuds = earbuds
    Speakers = speaker, soundbar
  Computers
    Laptops = laptop
    Monitors = monitor
    Keyboards = keyboard
    Mice = mouse
  Phones & tablets
    Phone cases = phone case
    Chargers = charger, power bank
    Tablets = tablet
  Cameras
    Action cameras = action camera
    Lenses = lens
  Smart home = smart plug, smart bulb, thermostat
Sports & Outdoors
  Camping
    Tents = tent
    Sleeping bags = sleeping bag
    Camping stoves = camping stove
  Hiking
    Backpacks
      Daypacks = daypack
      Trekking packs = trekking pack
    Trekking poles = trekking pole
    Water bottles = water bottle
  Cycling
    Helmets = helmet
    Bike lights = bike light
    Cycling jerseys = cycling jersey
  Fitness
    Yoga mats = yoga mat
    Dumbbells = dumbbell
    Resistance bands = resistance band
  Water sports
    Swimwear = swimsuit, swim shorts
    Kayaking = paddle, dry bag
Beauty & Health
  Skincare
    Moisturisers = moisturiser, face cream
    Cleansers = cleanser
    Serums = serum
  Haircare
    Shampoo = shampoo
    Conditioner = conditioner
  Fragrance
    Eau de parfum = eau de parfum
    Eau de toilette = eau de toilette
  Bath & body = body lotion, shower gel, bath salts
Toys & Games
  Board games = board game
  Puzzles = jigsaw puzzle
  Building sets = building set
  Dolls & figures = doll, action figure
  Outdoor toys = kite, scooter
Food & Drink
  Coffee
    Coffee beans = coffee beans
    Ground coffee = ground coffee
  Tea = green tea, black tea, herbal tea
  Chocolate = chocolate bar, truffles
  Pantry
    Olive oil = olive oil
    Pasta = pasta
    Spices = spice blend
  Wine = rosé, red wine, white wine
"""

COLOURS: Final = (
    "black", "white", "navy", "grey", "charcoal", "blue", "red", "green", "olive", "beige",
    "cream", "brown", "burgundy", "pink", "sage", "rust", "mustard", "teal", "lilac", "ivory",
)  # fmt: skip
CLOTHING_SIZES: Final = ("XS", "S", "M", "L", "XL", "XXL")
SHOE_SIZES: Final = tuple(str(size) for size in range(36, 48))


def _string(*values: str) -> AttributeDefinition:
    return AttributeDefinition("string", tuple(values))


def _number(*values: int | float) -> AttributeDefinition:
    return AttributeDefinition("number", tuple(values))


_BOOLEAN: Final = AttributeDefinition("boolean")


@dataclass(frozen=True)
class RootSpec:
    """What the products under one root category are made of, called and priced at."""

    adjectives: tuple[str, ...]
    materials: tuple[str, ...]  # or origins, for food
    tags: tuple[str, ...]
    median_price: float  # EUR
    attributes: dict[str, AttributeDefinition]
    coloured: bool = True


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.replace("_", " ") for word in text.split())


ROOTS: Final = {
    "Clothing": RootSpec(
        _words("slim-fit relaxed classic oversized tailored lightweight cropped essential vintage cosy"),
        _words("organic_cotton linen merino_wool cashmere denim corduroy recycled_polyester flannel silk tweed"),
        _words("casual workwear layering summer winter office weekend everyday"),
        45.0,
        {
            "colour": _string(*COLOURS),
            "size": _string(*CLOTHING_SIZES),
            "material": _string("cotton", "linen", "wool", "cashmere", "denim", "polyester", "silk"),
            "waterproof": _BOOLEAN,
        },
    ),
    "Shoes": RootSpec(
        _words("handmade cushioned lightweight classic minimalist rugged waterproof breathable vegan"),
        _words("leather suede canvas knit nubuck recycled_mesh rubber"),
        _words("running walking hiking formal casual trail summer"),
        85.0,
        {
            "colour": _string(*COLOURS),
            "size": _string(*SHOE_SIZES),
            "material": _string("leather", "suede", "canvas", "mesh", "rubber"),
            "waterproof": _BOOLEAN,
        },
    ),
    "Home & Kitchen": RootSpec(
        _words("cast-iron non-stick hand-thrown Scandinavian rustic modern stackable artisan enamelled"),
        _words("stoneware porcelain stainless_steel oak walnut glass copper ceramic bamboo linen"),
        _words("kitchen dining housewarming cosy minimalist farmhouse"),
        39.0,
        {
            "colour": _string(*COLOURS),
            "material": _string("stoneware", "porcelain", "steel", "oak", "glass", "copper", "ceramic"),
            "dishwasher_safe": _BOOLEAN,
        },
    ),
    "Electronics": RootSpec(
        _words("wireless noise-cancelling portable compact smart ultra-thin rechargeable 4K Bluetooth ergonomic"),
        _words("aluminium recycled_plastic carbon graphite silicone"),
        _words("wireless gaming office travel streaming productivity"),
        120.0,
        {
            "colour": _string("black", "white", "silver", "graphite", "blue"),
            "wireless": _BOOLEAN,
            "battery_h": _number(0, 6, 8, 12, 20, 30, 40),
        },
    ),
    "Sports & Outdoors": RootSpec(
        _words("ultralight waterproof insulated packable technical breathable reflective durable"),
        _words("ripstop_nylon Gore-Tex merino recycled_polyester aluminium carbon neoprene"),
        _words("camping hiking cycling fitness outdoor trail alpine summer"),
        60.0,
        {
            "colour": _string(*COLOURS),
            "waterproof": _BOOLEAN,
            "capacity_l": _number(1, 5, 10, 20, 30, 45, 65),
            "weight_g": _number(150, 300, 500, 800, 1200, 2000),
        },
    ),
    "Beauty & Health": RootSpec(
        _words("hydrating soothing fragrance-free brightening nourishing gentle revitalising vegan"),
        _words("hyaluronic vitamin_C shea_butter argan_oil aloe_vera rose lavender crème"),
        _words("skincare natural vegan cruelty-free sensitive gift"),
        22.0,
        {
            "volume_ml": _number(30, 50, 100, 200, 250, 500),
            "vegan": _BOOLEAN,
            "skin_type": _string("dry", "oily", "combination", "sensitive", "normal"),
        },
        coloured=False,
    ),
    "Toys & Games": RootSpec(
        _words("classic educational wooden magnetic cooperative strategy family giant"),
        _words("wooden cardboard plush plastic"),
        _words("family kids party educational gift"),
        28.0,
        {"age_min": _number(3, 6, 8, 10, 12, 14), "players": _number(1, 2, 4, 6)},
        coloured=False,
    ),
    "Food & Drink": RootSpec(
        _words("organic single-origin fair-trade artisan extra-virgin smoked dark aged"),
        _words("Ethiopian Colombian Sicilian Belgian Darjeeling Provençal Italian Japanese Málaga"),
        _words("organic gift breakfast pantry vegan gourmet"),
        14.0,
        {
            "weight_g": _number(100, 250, 500, 1000),
            "organic": _BOOLEAN,
            "origin": _string("Ethiopia", "Colombia", "Italy", "Belgium", "India", "France", "Japan", "Spain"),
        },
        coloured=False,
    ),
}

# Description vocabulary, most frequent first: rank r is drawn with weight 1 / r.
DESCRIPTION_WORDS: Final = _words(
    """
    the and a with for of to in your is it on this that from made you our by
    soft everyday design comfortable quality easy light perfect classic durable natural fit
    style clean simple warm finish feel day use care wear home all-day great new
    detail premium crafted versatile practical modern season long-lasting lightweight
    handmade gentle colour weekend travel gift small large generous timeless subtle
    texture pair layer morning evening coffee table kitchen favourite family friends
    rich smooth crisp bright deep fresh delicate sturdy reliable secure compact
    breathable water everyday-essential relaxed tailored shape edge pocket strap zip
    button seam handle lid base surface grip weight size fabric leather wool cotton
    café crème naïve brûlée purée sauté rosé façade soufflé entrée déjà crêpe jalapeño
    piñata Zürich Montréal Besançon Ålesund garçon fiancé touché résumé protégé
    city trail mountain beach garden office studio summer winter autumn spring rain
    sun wind snow road forest lake coast island valley harbour market street
    recycled organic sustainable responsibly sourced certified tested independent small-batch
    hand-finished stitched woven knitted brushed washed polished oiled waxed glazed
    fired printed dyed tanned moulded machined assembled packed shipped
    quick-drying stain-resistant odour-resistant anti-slip adjustable removable
    washable reversible stackable foldable packable refillable rechargeable
    matte glossy textured ribbed quilted padded lined unlined insulated
    hours minutes years months weeks everyday-carry holiday birthday anniversary
    Scandinavian Italian French Japanese British Portuguese Spanish German Nordic
    workshop atelier maker studio-made heritage tradition generation archive
    cup plate bowl glass bottle bag box tin jar case cover sleeve
    ideal simply truly easily quickly gently naturally carefully beautifully
    keeps holds fits lasts moves stays dries breathes wraps protects supports
    comfort warmth freshness flavour aroma character balance depth body finish
    notes hints citrus vanilla cocoa caramel berry floral spice nutty earthy
    reviewers customers love choose return recommend trust
    """
)


@dataclass(frozen=True)
class Leaf:
    category: Category
    root: str
    nouns: tuple[str, ...]
    mid: Category | None  # the level-2 ancestor, whose attribute definitions it inherits


@dataclass(frozen=True)
class Catalog:
    categories: list[Category]
    leaves: list[Leaf]
    leaf_weights: list[float]
    brands: dict[str, list[str]]  # root name → its brands, most popular first
    children: dict[str, list[str]]  # category id → child ids
    root_of: dict[str, str]  # category id → root name
    depth: dict[str, int]
    paths: dict[str, str]  # category id → "Clothing Men Shirts Oxford shirts"


def _ulid(rng: Random, seconds: int) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    value = (seconds * 1000 + rng.randrange(1000)) << 80 | rng.getrandbits(80)
    return "".join(alphabet[(value >> shift) & 31] for shift in range(125, -1, -5))


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def fold(text: str) -> str:
    """Case- and diacritics-folded: what a shopper's query and a product's words are compared as."""
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)).casefold()


def _zipf_cumulative(count: int, exponent: float = 1.0) -> list[float]:
    total, cumulative = 0.0, []
    for rank in range(1, count + 1):
        total += 1 / rank**exponent
        cumulative.append(total)
    return cumulative


def make_catalog(seed: int = SEED) -> Catalog:
    rng = Random(seed)
    categories: list[Category] = []
    leaves: list[Leaf] = []
    children: dict[str, list[str]] = {}
    root_of: dict[str, str] = {}
    depth: dict[str, int] = {}
    paths: dict[str, str] = {}
    path: list[Category] = []
    created = NOW - TWO_YEARS - 30 * 86_400
    lines = [line for line in CATEGORY_TREE.splitlines() if line.strip()]
    for position, line in enumerate(lines):
        level = (len(line) - len(line.lstrip())) // 2
        name, _, nouns = (part.strip() for part in line.strip().partition("="))
        del path[level:]
        parent = path[-1] if path else None
        root = path[0].name if path else name
        attributes: dict[str, AttributeDefinition] = {}
        if parent is None:
            attributes = ROOTS[name].attributes
        elif name in ("Pans", "Pots", "Backpacks"):  # a mid-level definition, inherited below it
            attributes = {"capacity_l": _number(1, 2, 3, 4, 5, 20, 30, 45)}
        identifier = _ulid(rng, created + position)
        slug = slugify(" ".join([*(ancestor.name for ancestor in path), name]))
        category = Category(identifier, name, slug, parent.id if parent else None, attributes, created, created)
        categories.append(category)
        children[identifier] = []
        if parent is not None:
            children[parent.id].append(identifier)
        root_of[identifier], depth[identifier] = root, level + 1
        paths[identifier] = " ".join([*(ancestor.name for ancestor in path), name])
        if nouns:
            mid = path[1] if len(path) > 1 else None
            leaves.append(Leaf(category, root, tuple(noun.strip() for noun in nouns.split(",")), mid))
        path.append(category)
    # Some categories sell far more than others.
    order = list(range(len(leaves)))
    rng.shuffle(order)
    leaf_weights = [0.0] * len(leaves)
    for rank, index in enumerate(order, start=1):
        leaf_weights[index] = 1 / rank**0.7
    prefixes = _words(
        "Nord Alpen Sol Terra Blue Oak River Stone Wild Fjäll Côte Mont Luna Iron Silver Green North Urban True Pure"
    )
    suffixes = _words("vik lund wear works craft line &_Co haus ford field ware labs mark ridge peak")
    names = rng.sample([f"{prefix}{suffix}" if "&" not in suffix else f"{prefix} {suffix}"
                        for prefix in prefixes for suffix in suffixes], 300)  # fmt: skip
    brands: dict[str, list[str]] = {root: [] for root in ROOTS}
    for index, brand in enumerate(names):
        brands[list(ROOTS)[index % len(ROOTS)]].append(brand)
    return Catalog(categories, leaves, leaf_weights, brands, children, root_of, depth, paths)


def _price(rng: Random, median: float) -> int:
    euros = max(2.0, rng.lognormvariate(math.log(median), 0.6))
    return max(199, round(euros) * 100 - 1)  # a shop's .99 endings, in cents


def _attribute_value(rng: Random, name: str, definition: AttributeDefinition, chosen: dict[str, str]) -> AttributeValue:
    if definition.type == "boolean":
        return rng.random() < 0.35
    if name in chosen and definition.values and chosen[name] in definition.values:
        return chosen[name]
    assert definition.values is not None
    return rng.choice(definition.values)


def _description(rng: Random, leaf: Leaf, noun: str, material: str, cumulative: list[float]) -> str:
    count = rng.randint(30, 80)
    words = rng.choices(DESCRIPTION_WORDS, cum_weights=cumulative, k=count)
    opening = rng.choice(
        (
            f"This {noun} is made of {material}.",
            f"A {material} {noun} for every day.",
            f"Our {noun} in {material}, made to last.",
        )
    )
    sentences, start = [opening], 0
    while start < len(words):
        length = rng.randint(6, 14)
        chunk = words[start : start + length]
        sentences.append(chunk[0][:1].upper() + " ".join(chunk)[1:] + ".")
        start += length
    if rng.random() < 0.3:
        sentences.append(f"Part of our {leaf.category.name.lower()} range.")
    return " ".join(sentences)


def make_products(catalog: Catalog, count: int, seed: int = SEED) -> list[SearchDocument]:
    """The first `count` products of one endless seeded stream: a smaller catalog is a prefix of a larger one."""
    rng = Random(seed + 1)
    cumulative = _zipf_cumulative(len(DESCRIPTION_WORDS))
    leaf_cumulative: list[float] = []
    total = 0.0
    for weight in catalog.leaf_weights:
        total += weight
        leaf_cumulative.append(total)
    brand_cumulative = {root: _zipf_cumulative(len(names), 0.8) for root, names in catalog.brands.items()}
    documents = []
    for _ in range(count):
        leaf = rng.choices(catalog.leaves, cum_weights=leaf_cumulative)[0]
        spec = ROOTS[leaf.root]
        noun, material, adjective = rng.choice(leaf.nouns), rng.choice(spec.materials), rng.choice(spec.adjectives)
        colour = rng.choice(COLOURS) if spec.coloured else None
        parts = [adjective, material, noun] if rng.random() < 0.6 else [material, noun]
        if colour and rng.random() < 0.4:
            parts.insert(-1, colour)
        name = " ".join(parts)
        name = name[0].upper() + name[1:]
        brand = None
        if rng.random() < 0.92:
            brand = rng.choices(catalog.brands[leaf.root], cum_weights=brand_cumulative[leaf.root])[0]
        definitions = dict(spec.attributes)
        if leaf.mid is not None:
            definitions.update(leaf.mid.attributes)
        picked = rng.sample(sorted(definitions), min(len(definitions), rng.randint(2, 4)))
        chosen = {"colour": colour or "", "material": material.split()[-1]}
        attributes = {key: _attribute_value(rng, key, definitions[key], chosen) for key in sorted(picked)}
        tags = tuple(
            sorted(set(rng.sample(spec.tags, rng.randint(1, 3)) + rng.sample(GENERIC_TAGS, rng.randint(1, 2))))
        )
        created_at = NOW - rng.randrange(TWO_YEARS)
        identifier = _ulid(rng, created_at)
        rated = rng.random() < 0.6
        documents.append(
            SearchDocument(
                id=identifier,
                slug=f"{slugify(name)}-{identifier[-6:].lower()}",
                name=name,
                description=_description(rng, leaf, noun, material, cumulative),
                brand=brand,
                category_id=leaf.category.id,
                tags=tags,
                attributes=attributes,
                price=_price(rng, spec.median_price),
                currency="EUR",
                in_stock=rng.random() >= 0.1,
                rating_average=round(min(5.0, max(1.0, rng.gauss(4.1, 0.6))), 1) if rated else None,
                rating_count=max(1, int(rng.lognormvariate(3.0, 1.2))) if rated else 0,
                image_url=f"https://cdn.example.com/products/{identifier}/main.jpg" if rng.random() < 0.95 else None,
                image_alt=name,
                created_at=created_at,
                updated_at=min(NOW, created_at + rng.randrange(90 * 86_400)),
            )
        )
    return documents


GENERIC_TAGS: Final = ("new", "sale", "bestseller", "eco", "gift", "limited", "exclusive", "online-only")

# ---------------------------------------------------------------------------------------
# The query mix: the same queries for every catalog size
# ---------------------------------------------------------------------------------------


def descendants(catalog: Catalog, category_id: str) -> list[str]:
    found, pending = [], [category_id]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(catalog.children[current])
    return found


_SEARCHED_WORDS: Final = DESCRIPTION_WORDS[20:]  # shoppers do not type "the" or "with"
_SEARCHED_CUMULATIVE: Final = _zipf_cumulative(len(_SEARCHED_WORDS))


def _text_words(rng: Random, leaf: Leaf, count: int) -> list[str]:
    """Words a shopper looking for something in `leaf` types: modifiers first, mostly a noun last."""
    spec = ROOTS[leaf.root]
    modifiers: list[Callable[[], str]] = [
        lambda: rng.choice(spec.materials).split()[0],
        lambda: rng.choice(spec.adjectives),
        lambda: rng.choice(COLOURS) if spec.coloured else rng.choice(spec.tags),
        lambda: rng.choices(_SEARCHED_WORDS, cum_weights=_SEARCHED_CUMULATIVE)[0],
    ]
    words: list[str] = []
    while len(words) < count:
        last = len(words) == count - 1
        if last and rng.random() < 0.7:
            word = rng.choice(leaf.nouns).split()[-1]
        else:
            word = rng.choices(modifiers, weights=(2, 1, 1, 2))[0]()
        if fold(word) not in {fold(existing) for existing in words}:
            words.append(word)
    return words


def _query_text(rng: Random, words: list[str]) -> str:
    last = words[-1]
    if len(last) >= 5 and rng.random() < 0.3:  # still typing: the last word is a prefix
        words = [*words[:-1], last[: rng.randint(3, len(last) - 1)]]
    return " ".join(words)


def make_queries(catalog: Catalog, per_kind: int, seed: int = SEED) -> dict[str, list[SearchQuery]]:
    rng = Random(seed + 2)
    roots = [category for category in catalog.categories if category.parent_id is None]
    mids = [category for category in catalog.categories if catalog.depth[category.id] == 2]
    broad = roots + mids
    queries: dict[str, list[SearchQuery]] = {kind: [] for kind in KINDS}
    weights = catalog.leaf_weights
    for _ in range(per_kind):
        leaf = rng.choices(catalog.leaves, weights=weights)[0]
        words = _text_words(rng, leaf, rng.choices((1, 2, 3), weights=(4, 4, 2))[0])
        queries["text"].append(SearchQuery(q=_query_text(rng, words), facets=False))

        category = rng.choice(broad)
        inside = [
            candidate for candidate in catalog.leaves if candidate.category.id in descendants(catalog, category.id)
        ]
        leaf = rng.choice(inside)
        words = _text_words(rng, leaf, rng.choice((1, 2)))
        queries["text_category_facets"].append(
            SearchQuery(q=_query_text(rng, words), category_id=category.id, facets=True)
        )

        category = rng.choice(catalog.categories)
        spec = ROOTS[catalog.root_of[category.id]]
        low = round(spec.median_price * rng.uniform(0.3, 1.0)) * 100
        high = round(low * rng.uniform(1.5, 4.0) / 100) * 100
        attributes: tuple[tuple[str, str], ...] = ()
        in_stock = rng.random() < 0.7
        if not in_stock or rng.random() < 0.5:
            name = rng.choice(sorted(spec.attributes))
            definition = spec.attributes[name]
            value: AttributeValue = True if definition.type == "boolean" else rng.choice(definition.values or ("",))
            attributes = ((name, attribute_text(value)),)
        queries["filters"].append(
            SearchQuery(
                category_id=category.id,
                min_price=low,
                max_price=high,
                in_stock=in_stock,
                attributes=attributes,
                sort="newest",
                facets=False,
            )
        )

        category = rng.choice(catalog.categories)
        sort: Sort = rng.choice(("price_asc", "price_desc"))
        queries["price_sort"].append(SearchQuery(category_id=category.id, sort=sort, facets=False))
    return queries


# ---------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def summarize(timings: list[float], totals: list[int]) -> dict[str, Any]:
    return {
        "queries": len(timings),
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "max_ms": round(max(timings), 2),
        "median_total": statistics.median(totals),
        "empty": sum(1 for total in totals if total == 0),
    }


def run_index(
    catalog: Catalog, documents: list[SearchDocument], queries: dict[str, list[SearchQuery]], directory: Path
) -> tuple[dict[str, Any], dict[str, list[tuple[float, int]]]]:
    """The index's numbers, and each query's time and total (for the DynamoDB-only run to compare with)."""
    path = directory / f"search-{len(documents)}.sqlite"
    started = time.perf_counter()
    stats = build_index(path, documents, catalog.categories)
    build_seconds = time.perf_counter() - started
    connection = open_index(path, readonly=True)
    index = SearchIndex(connection)
    for kind in KINDS:  # warm: pages in the OS cache, statements prepared
        for query in queries[kind][:20]:
            index.search(query)
    kinds: dict[str, Any] = {}
    slowest: dict[str, list[tuple[float, str]]] = {}
    measured: dict[str, list[tuple[float, int]]] = {}
    for kind in KINDS:
        timings: list[float] = []
        totals: list[int] = []
        for query in queries[kind]:
            started = time.perf_counter()
            answer = index.search(query)
            timings.append((time.perf_counter() - started) * 1000)
            totals.append(answer.total)
        kinds[kind] = summarize(timings, totals)
        measured[kind] = list(zip(timings, totals, strict=True))
        # The shapes of the slowest queries, for whoever tunes the engine (a query drawn twice, once).
        slowest[kind] = []
        for ms, query in sorted(zip(timings, queries[kind], strict=True), key=lambda pair: -pair[0]):
            shape = describe(catalog, query)
            if len(slowest[kind]) < 5 and shape not in (seen for _, seen in slowest[kind]):
                slowest[kind].append((round(ms, 1), shape))
    connection.close()
    result = {
        "build_seconds": round(build_seconds, 2),
        "index_bytes": path.stat().st_size,
        "documents": stats.count,
        "kinds": kinds,
        "slowest": slowest,
    }
    return result, measured


def describe(catalog: Catalog, query: SearchQuery) -> str:
    names = {category.id: category.name for category in catalog.categories}
    parts = []
    if query.q:
        parts.append(f"q={query.q!r}")
    if query.category_id:
        parts.append(f"category={names[query.category_id]!r} (depth {catalog.depth[query.category_id]})")
    if query.min_price is not None or query.max_price is not None:
        parts.append(f"price={query.min_price}..{query.max_price}")
    if query.in_stock:
        parts.append("in_stock")
    parts.extend(f"{name}={value!r}" for name, value in query.attributes)
    if query.sort:
        parts.append(f"sort={query.sort}")
    if query.facets:
        parts.append("facets")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------
# The DynamoDB-only way: Query the category index (Scan without one), the rest in memory
# ---------------------------------------------------------------------------------------

_DDB_CONFIG: Final = Config(
    retries={"mode": "standard", "max_attempts": 10}, connect_timeout=5, read_timeout=120, max_pool_connections=16
)
_WORD: Final = re.compile(r"[^\W_]+")  # letters and digits, as FTS5's unicode61 splits words


def _dynamodb_client(endpoint: str) -> Any:
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


def run_dynamodb(
    search: DynamoDBSearch,
    queries: dict[str, list[SearchQuery]],
    index: dict[str, list[tuple[float, int]]],
    limit: int,
    budget_s: float,
) -> dict[str, Any]:
    for query in (queries[kind][0] for kind in KINDS):  # warm: connections, JIT of the server
        search.search(query)
    kinds: dict[str, Any] = {}
    for kind in KINDS:
        timings, totals = [], []
        deadline = time.monotonic() + budget_s
        for query in queries[kind][:limit]:
            started = time.perf_counter()
            _, total, _ = search.search(query)
            timings.append((time.perf_counter() - started) * 1000)
            totals.append(total)
            if time.monotonic() > deadline and len(timings) >= 5:
                break
        kinds[kind] = summarize(timings, totals)
        # The index on exactly these queries, for the ratio; and the same answers: equal totals.
        index_median = statistics.median(ms for ms, _ in index[kind][: len(timings)])
        kinds[kind]["index_median_ms_same_queries"] = round(index_median, 2)
        kinds[kind]["ratio_median"] = round(kinds[kind]["median_ms"] / index_median, 1)
        kinds[kind]["same_total_as_index"] = sum(
            total == index_total for total, (_, index_total) in zip(totals, index[kind], strict=False)
        )
    return kinds


class BenchDynamoDBLocal(DynamoDBLocal):
    """The local runtime's DynamoDB Local, with the JVM's full JIT and the data in memory.

    The local runtime stops the JIT at C1 to start faster; loading 10^5 items and
    scanning them is the opposite workload.
    """

    def _command(self, loopback: bool) -> list[str]:
        command = [part for part in super()._command(loopback) if part != "-XX:TieredStopAtLevel=1"]
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
    client = _dynamodb_client(server.endpoint)
    create_table(client)
    return DynamoDBRun(server, client)


# ---------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------


def _machine() -> dict[str, Any]:
    return {
        "platform": f"{platform.system()} {platform.machine()}",
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def run(sizes: list[int], per_kind: int, dynamodb: bool, ddb_queries: int, ddb_budget_s: float) -> dict[str, Any]:
    began = time.perf_counter()
    catalog = make_catalog()
    queries = make_queries(catalog, per_kind)
    report: dict[str, Any] = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": _machine(),
        "seed": SEED,
        "catalog": {"categories": len(catalog.categories), "leaves": len(catalog.leaves), "brands": 300},
        "queries_per_kind": per_kind,
        "targets": {"size": TARGET_SIZE, **TARGETS},
        "sizes": {},
    }
    with tempfile.TemporaryDirectory(prefix="search-bench-") as temporary:
        directory = Path(temporary)
        ddb = start_dynamodb(directory) if dynamodb else None
        try:
            for size in sorted(sizes):
                started = time.perf_counter()
                documents = make_products(catalog, size)
                print(f"{size}: generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
                result, measured = run_index(catalog, documents, queries, directory)
                print(f"{size}: index built in {result['build_seconds']} s; {result['kinds']}", file=sys.stderr)
                if ddb is not None:
                    ddb.load_seconds += load_table(
                        lambda: _dynamodb_client(ddb.server.endpoint), catalog, documents[ddb.loaded :]
                    )
                    ddb.loaded = size
                    print(f"{size}: DynamoDB Local loaded, {ddb.load_seconds:.0f} s in all", file=sys.stderr)
                    with ThreadPoolExecutor(READ_THREADS) as pool:
                        search = DynamoDBSearch(ddb.client, catalog, pool)
                        kinds = run_dynamodb(search, queries, measured, ddb_queries, ddb_budget_s)
                    result["dynamodb"] = {"load_seconds_cumulative": round(ddb.load_seconds, 1), "kinds": kinds}
                    print(f"{size}: DynamoDB-only {kinds}", file=sys.stderr)
                report["sizes"][str(size)] = result
        finally:
            if ddb is not None:
                ddb.server.stop()
    target = report["sizes"].get(str(TARGET_SIZE))
    if target is not None:
        facets = target["kinds"]["text_category_facets"]
        report["targets_met"] = {
            "text_category_facets_median": facets["median_ms"] <= TARGETS["text_category_facets_median_ms"],
            "text_category_facets_p95": facets["p95_ms"] <= TARGETS["text_category_facets_p95_ms"],
            "build": target["build_seconds"] <= TARGETS["build_seconds"],
        }
    report["runtime_seconds"] = round(time.perf_counter() - began, 1)
    return report


def _section(report: dict[str, Any]) -> str:
    machine = report["machine"]
    lines = [
        f"Python {machine['python']}, SQLite {machine['sqlite']}, {machine['platform']}, {machine['cpu_count']} cores,"
        f" {report['generated_at']} (`bench/search.py`, {report['runtime_seconds']:.0f} s;"
        f" `bench/results/search.json`). Milliseconds, median / p95, over {report['queries_per_kind']}"
        " queries per kind against the index and the first *n* (shown) of them DynamoDB-only.",
        "",
        "| products | build | index file | query kind | FTS5 index | matches (median) | DynamoDB-only (n) | × |",
        "|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for size, result in report["sizes"].items():
        dynamodb = result.get("dynamodb", {}).get("kinds", {})
        for position, kind in enumerate(KINDS):
            numbers = result["kinds"][kind]
            head = "| | |"
            if position == 0:
                head = f"| {int(size):,} | {result['build_seconds']:.1f} s | {result['index_bytes'] / 1e6:.0f} MB"
            other = dynamodb.get(kind)
            compared = "– | –"
            if other:
                compared = (
                    f"{other['median_ms']:,.0f} / {other['p95_ms']:,.0f} ({other['queries']})"
                    f" | {other['ratio_median']:,.0f}×"
                )
            lines.append(
                f"{head} | {KIND_LABELS[kind]} | {numbers['median_ms']:.1f} / {numbers['p95_ms']:.1f}"
                f" | {numbers['median_total']:,.0f} | {compared} |"
            )
    target = report["sizes"].get(str(TARGET_SIZE))
    if target is not None:
        facets, met = target["kinds"]["text_category_facets"], report["targets_met"]
        verdict = "all met" if all(met.values()) else "not all met"
        lines += [
            "",
            f"Targets at {TARGET_SIZE:,} products, {verdict}: text + category + facets median"
            f" {facets['median_ms']:.1f} ms (≤ 10: {_yes(met['text_category_facets_median'])}), p95"
            f" {facets['p95_ms']:.1f} ms (≤ 30: {_yes(met['text_category_facets_p95'])}); full build"
            f" {target['build_seconds']:.1f} s (≤ 60: {_yes(met['build'])}).",
        ]
    lines += [
        "",
        "Method: a seeded generator makes the catalog (8 roots, 143 categories up to 4 deep, 300 brands,"
        " names from per-category vocabularies, descriptions of 30–80 Zipf-distributed words with accented"
        " ones, log-normal prices, 10 % out of stock); the 10,000 products are the first tenth of the 100,000"
        " and both sizes run the same queries. Kinds: 1–3 words (the engine reads the last as a prefix); 1–2 words"
        " in a root or second-level category, with facets; a category, a price range, in stock and/or an"
        " attribute, newest first; a category by price. FTS5 is timed in-process around `SearchIndex.search`"
        " on a warm index. DynamoDB-only answers the same queries with a Query per category and descendant on"
        f" a category-id index, or without a category a Scan in {SCAN_SEGMENTS} parallel segments (reads on"
        f" {READ_THREADS} threads), then matches the words (stored folded at write time), filters, sorts and"
        " counts facets in Python. It runs against DynamoDB Local (in memory) over HTTP on this machine: the"
        " HTTP and parsing cost a Lambda pays, no network hop to a region, and DynamoDB Local is not the"
        " service's speed (its Scan slows down with the table more than linearly) — read × as an order of"
        f" magnitude. × compares medians over the same queries; {_agreement(report)}",
    ]
    return "\n".join(lines)


def _agreement(report: dict[str, Any]) -> str:
    compared = [
        numbers
        for result in report["sizes"].values()
        for numbers in result.get("dynamodb", {}).get("kinds", {}).values()
    ]
    if not compared:
        return "this run made no DynamoDB-only comparison."
    same = sum(numbers["same_total_as_index"] for numbers in compared)
    asked = sum(numbers["queries"] for numbers in compared)
    return f"{same} of {asked} DynamoDB-only answers had as many matches as the index's."


def _yes(met: bool) -> str:
    return "met" if met else "**missed**"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated catalog sizes")
    parser.add_argument("--queries", type=int, default=250, help="queries per kind against the index (≥ 200)")
    parser.add_argument("--skip-dynamodb", action="store_true", help="no DynamoDB-only comparison")
    parser.add_argument("--dynamodb-queries", type=int, default=30, help="at most this many DynamoDB queries per kind")
    parser.add_argument("--dynamodb-budget", type=float, default=90.0, help="seconds per kind (at least 5 queries)")
    parser.add_argument("--no-write", action="store_true", help="print only: no results file, no bench/README.md")
    arguments = parser.parse_args()
    sizes = [int(size.replace("_", "")) for size in arguments.sizes.split(",")]
    report = run(
        sizes, arguments.queries, not arguments.skip_dynamodb, arguments.dynamodb_queries, arguments.dynamodb_budget
    )
    section = _section(report)
    if not arguments.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        write_section("search", section)
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
