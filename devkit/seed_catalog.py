"""The demo catalog of `make seed`: a fixed category tree and generated products.

Product `i` of seed `s` comes from its own `random.Random(f"{s}:{i}")`, so the first 12
products of a 200-product run are the 12 products of a 12-product run, and its SKUs
(`<code>-<s>-<i>-<n>`) are the same on every run: the API's SKU uniqueness (409) is what
makes a re-run add nothing.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw, ImageFont

CURRENCY = "USD"
LOW_STOCK_AT = 5  # the API's default low-stock threshold of a new SKU
LOW_STOCK_SHARE = 0.15  # of the variants start at or under it


def _enum(*values: str, required: bool = False) -> dict[str, Any]:
    return {"type": "string", "values": list(values), "required": required}


_BOOL = {"type": "boolean"}
_NUMBER = {"type": "number"}


@dataclass(frozen=True)
class CategorySpec:
    name: str
    slug: str
    parent: str | None
    attributes: dict[str, Any]

    def body(self, parent_id: str | None) -> dict[str, Any]:
        return {"name": self.name, "slug": self.slug, "parent_id": parent_id, "attributes": self.attributes}


# Parents before children: three levels, each leaf inheriting its ancestors' definitions.
CATEGORIES = (
    CategorySpec("Apparel", "apparel", None, {"material": _enum("cotton", "merino wool", "polyester", "nylon")}),
    CategorySpec("Shoes", "shoes", "apparel", {"waterproof": _BOOL}),
    CategorySpec("Trail running", "trail-running", "shoes", {"terrain": _enum("mud", "rock", "mixed", required=True)}),
    CategorySpec("Road running", "road-running", "shoes", {"cushioning": _enum("light", "balanced", "max")}),
    CategorySpec("Jackets", "jackets", "apparel", {"insulated": _BOOL}),
    CategorySpec("Rain jackets", "rain-jackets", "jackets", {"hydrostatic_head_mm": _NUMBER}),
    CategorySpec("Home & Kitchen", "home-kitchen", None, {"dishwasher_safe": _BOOL}),
    CategorySpec(
        "Cookware", "cookware", "home-kitchen", {"material": _enum("cast iron", "stainless steel", "carbon steel")}
    ),
    CategorySpec("Frying pans", "frying-pans", "cookware", {"diameter_cm": _NUMBER, "induction_ready": _BOOL}),
    CategorySpec("Lighting", "lighting", "home-kitchen", {"wattage": _NUMBER}),
    CategorySpec("Desk lamps", "desk-lamps", "lighting", {"dimmable": _BOOL}),
    CategorySpec("Outdoor", "outdoor", None, {"weight_class": _enum("ultralight", "standard", "expedition")}),
    CategorySpec("Camping", "camping", "outdoor", {}),
    CategorySpec("Tents", "tents", "camping", {"capacity": _NUMBER, "season": _enum("3-season", "4-season")}),
    CategorySpec("Sleeping bags", "sleeping-bags", "camping", {"comfort_temp_c": _NUMBER}),
)


@dataclass(frozen=True)
class Kind:
    """How to make a product of one leaf category."""

    code: str
    category: str
    nouns: tuple[str, ...]
    brands: tuple[str, ...]
    price: tuple[int, int]  # whole dollars
    option: tuple[str, tuple[str, ...]]
    uses: tuple[str, ...]
    features: tuple[str, ...]
    tags: tuple[str, ...]
    attributes: Callable[[random.Random], dict[str, Any]]


_SIZES = ("38", "39", "40", "41", "42", "43", "44", "45", "46")
_FITS = ("XS", "S", "M", "L", "XL", "XXL")
_COLOURS = ("black", "slate", "forest green", "ochre", "navy", "sand", "red", "white")
# A data table, laid out by hand: one block per kind.
# fmt: off
KINDS = (
    Kind(
        "TRL", "trail-running", ("Trail Runner", "Fell Shoe", "Mountain Racer", "Skyrunner"),
        ("Northpeak", "Kestrel", "Fellside", "Altra Vista"), (89, 189), ("size", _SIZES),
        ("muddy fell races", "long mountain days", "technical rocky descents", "ultra-distance training"),
        ("an aggressive 5 mm lug pattern grips wet roots and loose scree", "a rock plate protects against sharp stones",
         "the gusseted tongue keeps grit out", "a sticky rubber outsole holds on wet slabs"),
        ("trail", "running", "grip", "mountain", "lightweight"),
        lambda r: {"terrain": r.choice(["mud", "rock", "mixed"]), "waterproof": r.random() < 0.3,
                   "material": r.choice(["polyester", "nylon"])},
    ),
    Kind(
        "RUN", "road-running", ("Road Trainer", "Tempo Shoe", "Daily Runner", "Marathon Racer"),
        ("Kestrel", "Swiftline", "Cadence", "Northpeak"), (79, 229), ("size", _SIZES),
        ("daily training miles", "tempo sessions", "race day", "easy recovery runs"),
        ("a responsive foam midsole returns energy with every stride",
         "the engineered mesh upper breathes on hot days", "a carbon-infused plate adds snap at speed",
         "reflective details keep you visible at dusk"),
        ("road", "running", "cushioned", "marathon", "breathable"),
        lambda r: {"cushioning": r.choice(["light", "balanced", "max"]), "material": "polyester"},
    ),
    Kind(
        "RJK", "rain-jackets", ("Rain Shell", "Storm Jacket", "Packable Anorak", "Hardshell"),
        ("Tidewater", "Fellside", "Cumulus", "Ardent"), (99, 349), ("size", _FITS),
        ("wet hillwalking", "city commutes in the rain", "alpine scrambles", "coastal hikes"),
        ("taped seams keep driving rain out", "pit zips dump heat on steep climbs",
         "the helmet-compatible hood adjusts with one hand", "it packs into its own chest pocket"),
        ("waterproof", "jacket", "rain", "packable", "hiking"),
        lambda r: {"hydrostatic_head_mm": r.choice([10000, 15000, 20000, 28000]), "insulated": False,
                   "material": "nylon"},
    ),
    Kind(
        "PAN", "frying-pans", ("Skillet", "Frying Pan", "Sauté Pan", "Crêpe Pan"),
        ("Forgeworks", "Copperleaf", "Hearth & Co", "Ironbark"), (29, 189),
        ("diameter", ("20 cm", "24 cm", "28 cm", "32 cm")),
        ("searing steaks", "everyday eggs and pancakes", "oven-to-table cooking", "high-heat stir fries"),
        ("it is pre-seasoned and ready for the first use", "the riveted handle stays cool on the hob",
         "a thick base spreads heat evenly", "it goes from the hob into a 260 °C oven"),
        ("cookware", "kitchen", "frying pan", "induction", "oven safe"),
        lambda r: {"material": r.choice(["cast iron", "stainless steel", "carbon steel"]),
                   "diameter_cm": r.choice([20, 24, 28, 32]), "induction_ready": r.random() < 0.7,
                   "dishwasher_safe": r.random() < 0.2},
    ),
    Kind(
        "LMP", "desk-lamps", ("Desk Lamp", "Task Light", "Architect Lamp", "Reading Light"),
        ("Lumen & Oak", "Brightwork", "Halden", "Copperleaf"), (39, 249), ("colour", _COLOURS),
        ("late-night study", "a home office", "drawing and crafts", "bedside reading"),
        ("the warm-to-cool LED adjusts from 2700 K to 6500 K", "a weighted base keeps it steady",
         "the arm holds any angle without drooping", "a USB-C port charges your phone"),
        ("lamp", "lighting", "led", "office", "desk"),
        lambda r: {"wattage": r.choice([6, 8, 10, 12]), "dimmable": r.random() < 0.8, "dishwasher_safe": False},
    ),
    Kind(
        "TNT", "tents", ("Backpacking Tent", "Dome Tent", "Tunnel Tent", "Trekking Shelter"),
        ("Cumulus", "Ridgeback", "Alder & Pine", "Basecamp"), (149, 799), ("colour", ("green", "orange", "grey")),
        ("thru-hikes", "windy high camps", "family weekends", "bikepacking trips"),
        ("it pitches outer-first to keep the inner dry", "two porches swallow boots and packs",
         "colour-coded poles make pitching quick", "the guylines are pre-attached and reflective"),
        ("tent", "camping", "backpacking", "shelter", "outdoor"),
        lambda r: {"capacity": r.choice([1, 2, 3, 4]), "season": r.choice(["3-season", "4-season"]),
                   "weight_class": r.choice(["ultralight", "standard", "expedition"])},
    ),
    Kind(
        "SLB", "sleeping-bags", ("Down Sleeping Bag", "Synthetic Bag", "Mummy Bag", "Camp Quilt"),
        ("Cumulus", "Alder & Pine", "Nightjar", "Basecamp"), (79, 499), ("length", ("regular", "long", "wide")),
        ("alpine bivvies", "summer festivals", "shoulder-season backpacking", "winter camping"),
        ("ethically sourced 800-fill down lofts fast", "a draught collar seals in warmth",
         "the two-way zip vents on warm nights", "it compresses to the size of a loaf"),
        ("sleeping bag", "camping", "down", "warm", "backpacking"),
        lambda r: {"comfort_temp_c": r.choice([-10, -5, 0, 5, 10]),
                   "weight_class": r.choice(["ultralight", "standard"])},
    ),
)
_ADJECTIVES = ("Ridgeline", "Summit", "Cascade", "Tempest", "Aurora", "Granite", "Meridian", "Solstice", "Drift",
               "Ember", "Harbor", "Quarry", "Vale", "Zephyr", "Boreal", "Cobalt")
# fmt: on


@dataclass(frozen=True)
class ProductSpec:
    index: int
    body: dict[str, Any]  # POST /v1/products without category_id
    category: str  # slug
    colour: tuple[int, int, int]

    @property
    def skus(self) -> list[str]:
        return [variant["sku"] for variant in self.body["variants"]]


def product(index: int, seed: int) -> ProductSpec:
    rng = random.Random(f"{seed}:{index}")  # noqa: S311 - demo data, reproducible on purpose
    kind = KINDS[index % len(KINDS)]
    brand, adjective, noun = rng.choice(kind.brands), rng.choice(_ADJECTIVES), rng.choice(kind.nouns)
    name = f"{brand} {adjective} {noun}"
    first, second = rng.sample(kind.features, 2)
    description = (
        f"The {adjective} {noun.lower()} from {brand} is made for {rng.choice(kind.uses)}. "
        f"{first[0].upper()}{first[1:]}, and {second}. Backed by a two-year warranty."
    )
    price = rng.randint(*kind.price) * 100 - 1
    option, values = kind.option
    variants = []
    for number, value in enumerate(sorted(rng.sample(values, rng.randint(1, min(4, len(values))))), start=1):
        stock = rng.randint(0, LOW_STOCK_AT) if rng.random() < LOW_STOCK_SHARE else rng.randint(8, 150)
        variant: dict[str, Any] = {
            "sku": f"{kind.code}-{seed}-{index:04d}-{number}",
            "options": {option: value},
            "initial_stock": stock,
            "weight_grams": rng.randint(200, 3000),
        }
        if number == 4:
            variant["price"] = price + 1000
        variants.append(variant)
    body = {
        **{"name": name, "description": description, "brand": brand, "price": price, "currency": CURRENCY},
        **{"attributes": kind.attributes(rng), "tags": sorted(rng.sample(kind.tags, rng.randint(2, 4)))},
        **{"status": "active", "variants": variants},
    }
    colour = (rng.randint(40, 200), rng.randint(40, 200), rng.randint(40, 200))
    return ProductSpec(index, body, kind.category, colour)


def card_png(text: str, colour: tuple[int, int, int], size: int = 320) -> bytes:
    """A coloured square with `text` (the product's initials) in the middle, as PNG bytes."""
    image = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=size // 3)
    draw.text((size / 2, size / 2), text, fill=(255, 255, 255), font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def initials(name: str) -> str:
    return "".join(word[0] for word in name.split()[:3] if word[0].isalnum()).upper()
