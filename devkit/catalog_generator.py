"""The synthetic catalog: one seeded generator for the search benchmark and the demo seed.

A category tree of 143 categories under 8 roots (up to 4 deep), 300 brands, product names
built from per-category vocabularies, descriptions whose words follow a Zipf-like
frequency (so common words match many products), tags, attributes valid against their
categories' definitions, log-normal prices, ratings and two years of creation dates.

`make_products(catalog, n)` is the first `n` products of one endless seeded stream, so a
smaller catalog is a prefix of a larger one: `bench.search` measures 10,000 products that
are the first tenth of its 100,000, and `make seed` (devkit/seed_catalog.py) creates the
same first products through the API on every run. A product's variants (`draw_variants`:
the option that tells them apart, stock, weight) come from its own `Random(f"{seed}:{i}")`,
so the stream above stays as it was; `with_variants` gives the benchmark's documents the
variants the seed creates.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace
from random import Random
from typing import Final

from storefront.domain.catalog.entities import AttributeDefinition, AttributeValue, Category
from storefront.search.documents import SearchDocument, SearchVariant

SEED: Final = 20261127
NOW: Final = 1_764_201_600  # 2025-11-27T00:00:00Z: the catalog's "today", fixed so runs agree
TWO_YEARS: Final = 2 * 365 * 86_400

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
LOW_STOCK_AT: Final = 5  # the API's default low-stock threshold of a new SKU
LOW_STOCK_SHARE: Final = 0.15  # of the variants start at or under it

# The option that tells a product's variants apart, per root category; none: one variant.
OPTIONS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "Clothing": ("size", CLOTHING_SIZES),
    "Shoes": ("size", SHOE_SIZES),
    "Home & Kitchen": ("colour", COLOURS),
    "Electronics": ("colour", ("black", "white", "silver", "graphite", "blue")),
    "Sports & Outdoors": ("colour", COLOURS),
}


@dataclass(frozen=True)
class VariantDraw:
    options: dict[str, str]
    stock: int  # units when the product is in stock (an out-of-stock product has none)
    weight_grams: int


def draw_variants(rng: Random, root: str) -> list[VariantDraw]:
    """1–4 variants of a product under `root`, drawn from the product's own `rng` (its first draws)."""
    option = OPTIONS.get(root)
    values = sorted(rng.sample(option[1], rng.randint(1, min(4, len(option[1]))))) if option else [None]
    draws = []
    for value in values:
        stock = rng.randint(0, LOW_STOCK_AT) if rng.random() < LOW_STOCK_SHARE else rng.randint(8, 150)
        options = {option[0]: value} if option is not None and value is not None else {}
        draws.append(VariantDraw(options, stock, rng.randint(100, 3000)))
    return draws


def with_variants(catalog: Catalog, documents: list[SearchDocument], seed: int = SEED) -> list[SearchDocument]:
    """The documents with the variants `make seed` gives the same products (their options and stock)."""
    found = []
    for index, document in enumerate(documents):
        draws = draw_variants(Random(f"{seed}:{index}"), catalog.root_of[document.category_id])  # noqa: S311
        variants = tuple(SearchVariant(draw.options, document.in_stock and draw.stock > 0) for draw in draws)
        found.append(replace(document, variants=variants, in_stock=any(item.in_stock for item in variants)))
    return found


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


def zipf_cumulative(count: int, exponent: float = 1.0) -> list[float]:
    total, cumulative = 0.0, []
    for rank in range(1, count + 1):
        total += 1 / rank**exponent
        cumulative.append(total)
    return cumulative


def make_catalog(seed: int = SEED) -> Catalog:
    rng = Random(seed)  # noqa: S311 - synthetic data, reproducible on purpose
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
    rng = Random(seed + 1)  # noqa: S311 - synthetic data, reproducible on purpose
    cumulative = zipf_cumulative(len(DESCRIPTION_WORDS))
    leaf_cumulative: list[float] = []
    total = 0.0
    for weight in catalog.leaf_weights:
        total += weight
        leaf_cumulative.append(total)
    brand_cumulative = {root: zipf_cumulative(len(names), 0.8) for root, names in catalog.brands.items()}
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


def descendants(catalog: Catalog, category_id: str) -> list[str]:
    found, pending = [], [category_id]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(catalog.children[current])
    return found
