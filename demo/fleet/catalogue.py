"""The product catalogue: what the fleet sells, by category, at what list price, and how products become plan rows."""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from demo.fleet.keys import DEMO_PREFIX

CATEGORY_CODES = {
    "Snacks": "SNK",
    "Healthy": "HLT",
    "Cookies": "CKE",
    "Pastry": "PST",
    "Candy": "CND",
    "Gum & Mints": "GUM",
    "Beverages": "BEV",
    "Energy Drinks": "NRG",
}
# Inclusive spiral capacity by category: candy and gum are thin, chips and pastries bulky.
CATEGORY_CAPACITY = {
    "Snacks": (8, 12),
    "Healthy": (10, 15),
    "Cookies": (10, 14),
    "Pastry": (8, 10),
    "Candy": (14, 18),
    "Gum & Mints": (18, 24),
    "Beverages": (10, 15),
    "Energy Drinks": (10, 12),
}
CATALOGUE = {
    "Snacks": [
        ("Doritos Nacho Cheese 1.75 oz", "1.75"),
        ("Doritos Cool Ranch 1.75 oz", "1.75"),
        ("Lay's Classic 1.5 oz", "1.75"),
        ("Lay's Barbecue 1.5 oz", "1.75"),
        ("Cheetos Crunchy 2 oz", "1.75"),
        ("Flamin' Hot Cheetos 2 oz", "1.75"),
        ("Fritos Original 2 oz", "1.50"),
        ("Funyuns Onion Rings 1.25 oz", "1.50"),
        ("Ruffles Cheddar & Sour Cream 1.5 oz", "1.75"),
        ("SunChips Harvest Cheddar 1.5 oz", "1.75"),
        ("Jays Original Potato Chips 1.5 oz", "1.50"),
        ("Garrett Mix Popcorn 1.75 oz", "2.50"),
        ("Cheez-It Original 1.5 oz", "1.50"),
        ("Goldfish Cheddar 1.5 oz", "1.50"),
        ("Rold Gold Pretzel Twists 1 oz", "1.25"),
        ("Chex Mix Traditional 1.75 oz", "1.75"),
        ("Takis Fuego 2 oz", "2.00"),
        ("Pringles Original 1.3 oz", "1.75"),
        ("Kettle Brand Sea Salt 2 oz", "2.00"),
        ("Munchies Cheese Fix 1.5 oz", "1.75"),
        ("Smartfood White Cheddar Popcorn 1 oz", "1.75"),
    ],
    "Healthy": [
        ("KIND Dark Chocolate Nuts & Sea Salt", "2.50"),
        ("Nature Valley Oats 'n Honey", "1.50"),
        ("Clif Bar Chocolate Chip", "2.25"),
        ("RXBAR Chocolate Sea Salt", "2.75"),
        ("Quest Protein Bar Cookies & Cream", "3.00"),
        ("Planters Trail Mix Nuts & Chocolate", "2.00"),
        ("Blue Diamond Smokehouse Almonds", "2.00"),
        ("SkinnyPop Original Popcorn", "1.75"),
        ("Welch's Mixed Fruit Snacks", "1.25"),
        ("belVita Blueberry Breakfast Biscuits", "1.75"),
        ("Popcorners Sea Salt", "1.75"),
        ("Stacy's Simply Naked Pita Chips", "1.75"),
        ("Larabar Peanut Butter Cookie", "2.25"),
        ("Sahale Maple Pecans", "2.50"),
    ],
    "Cookies": [
        ("Chips Ahoy! 1.55 oz", "1.50"),
        ("Oreo 6-pack", "1.75"),
        ("Famous Amos Chocolate Chip", "1.50"),
        ("Grandma's Peanut Butter Cookie", "1.75"),
        ("Nutter Butter Bites", "1.50"),
        ("Keebler Fudge Stripes", "1.50"),
    ],
    "Pastry": [
        ("Pop-Tarts Frosted Strawberry", "1.75"),
        ("Pop-Tarts Brown Sugar Cinnamon", "1.75"),
        ("Hostess Honey Bun", "1.75"),
        ("Hostess CupCakes", "1.75"),
        ("Hostess Twinkies", "1.75"),
        ("Hostess Donettes Powdered", "1.75"),
        ("Little Debbie Oatmeal Creme Pie", "1.25"),
        ("Little Debbie Zebra Cakes", "1.50"),
        ("Otis Spunkmeyer Blueberry Muffin", "2.25"),
        ("Cinnabon Classic Cinnamon Roll", "2.50"),
    ],
    "Candy": [
        ("Snickers 1.86 oz", "1.75"),
        ("Twix Caramel 1.79 oz", "1.75"),
        ("M&M's Peanut 1.74 oz", "1.75"),
        ("M&M's Milk Chocolate 1.69 oz", "1.75"),
        ("Peanut Butter M&M's 1.63 oz", "1.75"),
        ("Reese's Peanut Butter Cups 1.5 oz", "1.75"),
        ("Kit Kat 1.5 oz", "1.75"),
        ("3 Musketeers 1.92 oz", "1.75"),
        ("Milky Way 1.84 oz", "1.75"),
        ("Butterfinger 1.9 oz", "1.75"),
        ("Baby Ruth 1.9 oz", "1.75"),
        ("Skittles Original 2.17 oz", "1.75"),
        ("Starburst Original 2.07 oz", "1.75"),
        ("Hershey's Milk Chocolate 1.55 oz", "1.75"),
        ("Payday 1.85 oz", "1.75"),
        ("Twizzlers Strawberry 2.5 oz", "1.75"),
        ("Sour Patch Kids 2 oz", "1.75"),
    ],
    "Gum & Mints": [
        ("Wrigley's Doublemint", "1.25"),
        ("Orbit Spearmint", "1.25"),
        ("Extra Polar Ice", "1.25"),
        ("Trident Original", "1.25"),
        ("Altoids Peppermint", "2.25"),
        ("Ice Breakers Coolmint", "2.25"),
        ("Mentos Mint Roll", "1.00"),
    ],
    "Beverages": [
        ("Coca-Cola 20 oz", "2.50"),
        ("Diet Coke 20 oz", "2.50"),
        ("Coca-Cola Zero Sugar 20 oz", "2.50"),
        ("Sprite 20 oz", "2.50"),
        ("Dr Pepper 20 oz", "2.50"),
        ("Pepsi 20 oz", "2.50"),
        ("Diet Pepsi 20 oz", "2.50"),
        ("Mountain Dew 20 oz", "2.50"),
        ("Dasani Water 20 oz", "2.00"),
        ("Aquafina Water 20 oz", "2.00"),
        ("smartwater 20 oz", "2.75"),
        ("Gatorade Fruit Punch 20 oz", "2.75"),
        ("Gatorade Cool Blue 20 oz", "2.75"),
        ("Powerade Mountain Berry Blast 20 oz", "2.50"),
        ("Minute Maid Lemonade 20 oz", "2.50"),
        ("Pure Leaf Sweet Tea 18.5 oz", "2.75"),
        ("Starbucks Frappuccino Mocha 13.7 oz", "3.50"),
        ("AriZona Green Tea 23 oz", "2.00"),
        ("bubly Lime 12 oz", "1.75"),
        ("LaCroix Pamplemousse 12 oz", "1.75"),
        ("Tropicana Orange Juice 12 oz", "3.00"),
    ],
    "Energy Drinks": [
        ("Red Bull 8.4 oz", "3.25"),
        ("Red Bull Sugarfree 8.4 oz", "3.25"),
        ("Monster Energy 16 oz", "3.50"),
        ("Celsius Sparkling Orange 12 oz", "3.25"),
        ("Bang Black Cherry Vanilla 16 oz", "3.50"),
        ("Rockstar Original 16 oz", "3.25"),
    ],
}
# Units per case the warehouse picks in: drinks by the tray, snacks and pastries by the carton; gum and candy,
# loaded a few of each at a time, are picked by the unit (None).
CATEGORY_CASE_PACK = {
    "Snacks": 8,
    "Healthy": 12,
    "Cookies": 12,
    "Pastry": 6,
    "Candy": None,
    "Gum & Mints": None,
    "Beverages": 24,
    "Energy Drinks": 12,
}
# Share of the catalogue that is newly listed (stocked, never sold yet) and discontinued (neither stocked nor sold).
NEW_PRODUCT_SHARE = 0.04
DISCONTINUED_PRODUCTS = 2


@dataclass(frozen=True)
class ProductPlan:
    """A catalogue item: ``stocked`` ones go in slots, ``sells`` ones sell (new listings are stocked but unsold)."""

    name: str
    category: str
    price_cents: int
    sku: str
    barcode: str
    popularity: float
    stocked: bool
    sells: bool
    case_pack: int | None


def plan_products(rng: np.random.Generator) -> list[ProductPlan]:
    """The catalogue as plan rows, each with a drawn popularity; a few are new listings and a few discontinued."""
    rows = [(category, name, price) for category, items in CATALOGUE.items() for name, price in items]
    popularity = rng.lognormal(0.0, 0.6, len(rows))
    order = rng.permutation(len(rows))
    new = set(order[: max(2, round(NEW_PRODUCT_SHARE * len(rows)))].tolist())
    discontinued = set(order[len(new) : len(new) + DISCONTINUED_PRODUCTS].tolist())
    sequence = Counter()
    products = []
    for i, (category, name, price) in enumerate(rows):
        code = CATEGORY_CODES[category]
        sequence[code] += 1
        products.append(
            ProductPlan(
                name=name,
                category=category,
                price_cents=round(Decimal(price) * 100),
                sku=f"{DEMO_PREFIX}{code}-{sequence[code]:03d}",
                barcode=_upc_a(f"0{71000 + 100 * list(CATEGORY_CODES).index(category):05d}{i + 1:05d}"),
                popularity=float(popularity[i]),
                stocked=i not in discontinued,
                sells=i not in new and i not in discontinued,
                case_pack=CATEGORY_CASE_PACK[category],
            )
        )
    return products


def _upc_a(digits11: str) -> str:
    """The 12-digit UPC-A code: the 11 digits and their check digit."""
    odd = sum(int(d) for d in digits11[0::2])
    even = sum(int(d) for d in digits11[1::2])
    return digits11 + str((10 - (3 * odd + even) % 10) % 10)
