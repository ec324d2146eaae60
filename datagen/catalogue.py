"""Reference data for the synthetic generator: small, hand-written, deterministic tables.

Everything here is plain Python data (no randomness): categories with their price levels and
brands, payment methods, cities, ad platforms and review texts. The generator samples from
these with NumPy; nothing in this module is sampled row by row.

The flavour follows the course dataset in ``shared/datasets/indonesian_ecommerce``: its 15
categories, its 16 payment methods, IDR-like price levels (category medians close to the real
``sku_detail.base_price`` medians) and Indonesian cities.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Brand:
    name: str                 # stored in products.brand and always the first word of the product name
    models: tuple[str, ...]   # product lines, e.g. "Galaxy A52"
    variants: tuple[str, ...]  # suffixes, e.g. "128GB"
    price_factor: float = 1.0  # multiplies the category's price level (Apple is dearer)
    weight: float = 1.0       # share of the category's products


@dataclass(frozen=True)
class Category:
    name: str
    product_weight: float   # share of the catalogue
    demand_weight: float    # share of order lines (before per-product popularity)
    median_price: float     # median list price (currency units)
    sigma: float            # lognormal spread of prices
    brands: tuple[Brand, ...]


_STORAGE = ("64GB", "128GB", "256GB", "512GB")
_SIZES = ("S", "M", "L", "XL")
_COLOURS = ("Black", "White", "Navy", "Grey", "Maroon", "Olive", "Beige")
_FINISH = ("Silver", "White", "Black", "Inox")

CATEGORIES: tuple[Category, ...] = (
    Category("Mobiles & Tablets", 4, 7.5, 3_600_000, 0.55, (
        Brand("Samsung", ("Galaxy A52", "Galaxy A14", "Galaxy S23", "Galaxy M33", "Galaxy Tab S8"), _STORAGE, 1.0, 3),
        Brand("Apple", ("iPhone 13", "iPhone 14 Pro", "iPhone 12", "iPhone 15", "iPad Air", "iPad 10.2"), _STORAGE, 2.2, 2),
        Brand("Huawei", ("Nova 9", "P40 Lite", "MatePad 11", "Y9 Prime"), _STORAGE[:3], 0.9, 1.5),
        Brand("Xiaomi", ("Redmi Note 12", "Redmi 10C", "Poco X5", "Pad 6"), _STORAGE[:3], 0.6, 2.5),
        Brand("Oppo", ("Reno 8", "A57", "A78", "Find X5"), _STORAGE[:3], 0.8, 2),
        Brand("Lenovo", ("Tab M10", "Tab P11", "Tab M8"), ("32GB", "64GB", "128GB"), 0.55, 1),
    )),
    Category("Computing", 5, 6.8, 900_000, 1.1, (
        Brand("Apple", ("MacBook Air M1", "MacBook Air M2", "MacBook Pro 14", "iMac 24"), ("8GB 256GB", "16GB 512GB", "Space Grey"), 3.5, 1.5),
        Brand("Lenovo", ("IdeaPad 3", "IdeaPad Slim 5", "ThinkPad E14", "Legion 5"), ("8GB 512GB", "16GB 512GB", "Core i5", "Ryzen 5"), 2.0, 2.5),
        Brand("Asus", ("VivoBook 14", "ROG Strix G15", "TUF Gaming F15", "Zenbook 14"), ("8GB 512GB", "16GB 1TB", "Core i5"), 2.0, 2),
        Brand("Epson", ("L3210 Ink Tank Printer", "L121 Printer", "EcoTank L5290"), ("Black",), 0.5, 1.5),
        Brand("Logitech", ("M331 Silent Mouse", "K380 Keyboard", "C270 Webcam", "G102 Mouse"), ("Black", "White", "Grey"), 0.25, 2),
        Brand("Huawei", ("MateBook D15", "MateBook 14", "MateView 24"), ("8GB 512GB", "16GB 512GB"), 2.2, 1),
    )),
    Category("Appliances", 7, 6.9, 2_000_000, 0.8, (
        Brand("Samsung", ("Twin Cooling Refrigerator RT38", "EcoBubble Washer 8kg", "Microwave MS23 23L", "Inverter AC 1 PK"), _FINISH, 1.2, 2),
        Brand("Sharp", ("Refrigerator SJ-195", "Washing Machine ES-T85", "Air Purifier FP-J30", "Rice Cooker KS-R18"), _FINISH, 0.9, 2),
        Brand("LG", ("Inverter AC Dual Cool 1 PK", "Front Load Washer 9kg", "Side by Side Fridge"), _FINISH, 1.3, 1.5),
        Brand("Panasonic", ("Inverter AC CS-PN9", "Hair Dryer EH-ND", "Microwave NN-ST34 25L"), _FINISH, 1.0, 1.5),
        Brand("Philips", ("Air Fryer HD9200", "Blender HR2115", "Steam Iron GC1905"), _FINISH, 0.5, 2),
        Brand("Miyako", ("Rice Cooker MCM-508", "Water Dispenser WD-190", "Standing Fan KAS-1618"), _FINISH, 0.15, 2),
    )),
    Category("Entertainment", 5, 6.6, 1_900_000, 0.9, (
        Brand("Sony", ("PlayStation 5", "Bravia 55X80K TV", "WH-1000XM5 Headphones", "SRS-XB13 Speaker"), ("Black", "White", "Blue"), 1.4, 2.5),
        Brand("Samsung", ("Crystal UHD 50 TV", "Soundbar HW-T450", "Galaxy Buds2"), ("Black", "Silver"), 1.1, 2),
        Brand("JBL", ("Flip 6 Speaker", "Tune 510BT", "Go 3 Speaker"), ("Black", "Blue", "Red"), 0.35, 2),
        Brand("Huawei", ("FreeBuds 5i", "Watch GT 3", "Sound Joy"), ("White", "Black"), 0.6, 1),
        Brand("Apple", ("AirPods Pro", "AirPods 3", "TV 4K", "Watch SE"), ("White", "Midnight", "Silver"), 1.3, 1),
        Brand("TCL", ("Android TV 43A18", "Google TV 55P635"), ("Black",), 1.0, 1),
    )),
    Category("Men Fashion", 11, 7.0, 280_000, 0.6, (
        Brand("Erigo", ("Oversized T-Shirt", "Chino Pants", "Hoodie"), _COLOURS, 0.6, 2),
        Brand("Eiger", ("Hiking Backpack 30L", "Flannel Shirt", "Windbreaker Jacket"), _COLOURS, 1.4, 1.5),
        Brand("Levi's", ("511 Slim Jeans", "Trucker Jacket", "Housemark Polo"), ("30", "32", "34", "Indigo"), 2.0, 1),
        Brand("Adidas", ("Grand Court Sneakers", "Essentials Track Pants", "Trefoil Tee"), _SIZES, 1.8, 1.5),
        Brand("Uniqlo", ("Airism Tee", "Oxford Shirt", "Ultra Stretch Jeans"), _SIZES, 1.0, 1.5),
    )),
    Category("Women Fashion", 10, 7.0, 360_000, 0.55, (
        Brand("Zara", ("Midi Dress", "Linen Blend Shirt", "Wide Leg Trousers"), _SIZES, 1.5, 1.5),
        Brand("Buttonscarves", ("Voal Square Scarf", "Pashmina", "Silk Scarf"), _COLOURS, 1.0, 1.5),
        Brand("Hijup", ("Abaya Dress", "Tunic Blouse", "Instant Hijab"), _COLOURS, 0.7, 2),
        Brand("Mango", ("Knitted Cardigan", "Pleated Skirt", "Tote Bag"), _SIZES, 1.3, 1),
        Brand("Charles & Keith", ("Sling Bag", "Block Heel Pumps", "Chain Wallet"), ("Black", "Cream", "Taupe"), 1.6, 1),
    )),
    Category("Kids & Baby", 9, 6.9, 90_000, 0.7, (
        Brand("Pigeon", ("Baby Bottle 240ml", "Baby Wipes 82s", "Nipple Cleanser"), ("Pack of 1", "Pack of 3"), 1.0, 2),
        Brand("MamyPoko", ("Pants Diaper M", "Pants Diaper L", "Pants Diaper XL"), ("34 pcs", "52 pcs"), 1.2, 2),
        Brand("Chicco", ("Baby Stroller Echo", "High Chair Polly", "Soother Physio"), ("Red", "Grey"), 3.0, 1),
        Brand("Lego", ("Duplo Number Train", "Classic Brick Box", "City Police Car"), ("Set", "Large Set"), 4.0, 1),
    )),
    Category("Home & Living", 9, 7.0, 165_000, 0.8, (
        Brand("IKEA", ("Kallax Shelf", "Lack Side Table", "Skubb Storage Box", "Fado Table Lamp"), ("White", "Black-Brown", "Oak"), 2.0, 2),
        Brand("Informa", ("Bed Sheet Set", "Bath Towel", "Dining Chair"), ("Queen", "King", "Grey"), 1.5, 1.5),
        Brand("Lock&Lock", ("Food Container Set", "Tumbler 470ml", "Vacuum Bottle"), ("3 pcs", "5 pcs", "Mint"), 0.6, 2),
        Brand("Krisbow", ("Cordless Drill", "Tool Box 19 inch", "LED Bulb 12W"), ("Standard", "Pro"), 1.2, 1),
    )),
    Category("School & Education", 8, 6.0, 34_000, 0.7, (
        Brand("Faber-Castell", ("Colour Pencils 24", "Grip Pencil 2B", "Connector Pens"), ("Box", "Set of 12"), 1.4, 2),
        Brand("Joyko", ("Ballpoint Pen", "Stapler HD-10", "Correction Tape"), ("Blue", "Black", "Pack of 12"), 0.6, 2),
        Brand("Sinar Dunia", ("Exercise Book 58", "A4 Paper 70gsm", "Drawing Book A3"), ("Pack of 10", "1 Ream"), 1.0, 2),
        Brand("Casio", ("Scientific Calculator FX-991", "Calculator MJ-12D"), ("Black", "White"), 4.0, 1),
    )),
    Category("Health & Sports", 8, 7.0, 160_000, 0.8, (
        Brand("Omron", ("Blood Pressure Monitor HEM-7120", "Digital Thermometer MC-246", "Nebulizer NE-C28"), ("Standard",), 3.0, 1.5),
        Brand("Nike", ("Revolution 6 Running Shoes", "Dri-FIT Tee", "Gym Bag"), _SIZES, 2.5, 1.5),
        Brand("Kettler", ("Yoga Mat 6mm", "Dumbbell Set 10kg", "Resistance Band"), ("Blue", "Purple", "Black"), 1.0, 1.5),
        Brand("Blackmores", ("Vitamin C 500mg", "Fish Oil 1000", "Multivitamin"), ("30 tabs", "60 caps"), 0.9, 2),
    )),
    Category("Others", 6, 6.9, 72_000, 0.9, (
        Brand("Generic", ("Phone Holder", "USB Cable Type-C", "Gift Wrap Set", "Keychain"), ("Black", "White", "Pack of 2"), 1.0, 3),
        Brand("Anker", ("PowerCore 10000", "USB-C Charger 20W", "Car Charger"), ("Black", "White"), 3.0, 1.5),
        Brand("Baseus", ("Magnetic Cable", "Phone Stand", "Power Bank 20000"), ("Black", "Blue"), 2.0, 1.5),
    )),
    Category("Beauty & Grooming", 6, 7.0, 220_000, 0.8, (
        Brand("Wardah", ("Lightening Day Cream", "Exclusive Matte Lip Cream", "Sunscreen Gel SPF 30"), ("30ml", "4g"), 0.4, 2),
        Brand("Emina", ("Bright Stuff Face Wash", "Cheeklit Cream Blush", "Sun Protection SPF 30"), ("50ml", "100ml"), 0.3, 2),
        Brand("L'Oreal", ("Revitalift Night Cream", "Micellar Water", "Elseve Shampoo"), ("50ml", "400ml"), 0.8, 1.5),
        Brand("Philips", ("Hair Straightener BHS375", "OneBlade QP2520", "Beard Trimmer BT3206"), ("Standard",), 2.5, 1.5),
        Brand("Braun", ("Series 3 Shaver", "Silk-epil 5", "Satin Hair 5"), ("Standard",), 3.5, 1),
    )),
    Category("Books", 5, 4.9, 40_000, 0.6, (
        Brand("Gramedia", ("Laskar Pelangi", "Bumi Manusia", "Filosofi Teras", "Cantik Itu Luka"), ("Paperback", "Hardcover"), 1.2, 2),
        Brand("Mizan", ("Negeri 5 Menara", "Ayat-Ayat Cinta", "Sang Pemimpi"), ("Paperback",), 1.0, 1.5),
        Brand("Erlangga", ("Matematika SMA Kelas 10", "Bahasa Inggris SMP", "Fisika Dasar"), ("Edisi Revisi", "Jilid 1"), 1.1, 1.5),
        Brand("Penguin", ("Atomic Habits", "Sapiens", "The Psychology of Money"), ("Paperback",), 1.8, 1),
    )),
    Category("Superstore", 4, 6.3, 50_000, 0.8, (
        Brand("Indomie", ("Mi Goreng Box", "Soto Mie Box", "Kari Ayam Box"), ("40 pcs", "Pack of 5"), 1.2, 2),
        Brand("Nestle", ("Dancow Fortigro", "Milo Activ-Go", "Bear Brand"), ("800g", "1kg", "Pack of 6"), 1.3, 2),
        Brand("Unilever", ("Rinso Detergent", "Sunlight Dish Soap", "Pepsodent Toothpaste"), ("800g", "755ml", "Pack of 3"), 0.8, 2),
        Brand("Wings", ("So Klin Liquid", "Mie Sedaap Box", "Daia Detergent"), ("1.8L", "40 pcs", "900g"), 0.8, 1.5),
    )),
    Category("Soghaat", 3, 7.0, 38_000, 0.6, (
        Brand("Bakpia Pathok 25", ("Bakpia Kacang Hijau", "Bakpia Keju", "Bakpia Coklat"), ("Box of 15", "Box of 20"), 1.0, 2),
        Brand("Lapis Legit Cirebon", ("Lapis Legit Original", "Lapis Prunes"), ("Half", "Whole"), 3.0, 1),
        Brand("Dodol Garut", ("Dodol Original", "Dodol Durian", "Dodol Wijen"), ("250g", "500g"), 0.8, 1.5),
        Brand("Kue Kering Lebaran", ("Nastar", "Kastengel", "Putri Salju"), ("Jar 500g", "Jar 250g"), 1.6, 1.5),
    )),
)

CATEGORY_NAMES: tuple[str, ...] = tuple(c.name for c in CATEGORIES)


@dataclass(frozen=True)
class PaymentMethod:
    name: str
    group: str
    share: float      # share of orders
    validity: float   # probability an order paid this way is confirmed (is_valid = 1)


# cod is the largest method (~60%); cash on delivery confirms less often than card and wallet.
PAYMENT_METHODS: tuple[PaymentMethod, ...] = (
    PaymentMethod("cod", "cod", 0.600, 0.60),
    PaymentMethod("jazzvoucher", "voucher", 0.012, 0.72),
    PaymentMethod("customercredit", "credit", 0.025, 0.88),
    PaymentMethod("Payaxis", "card", 0.120, 0.78),
    PaymentMethod("jazzwallet", "wallet", 0.030, 0.80),
    PaymentMethod("easypay_voucher", "voucher", 0.008, 0.70),
    PaymentMethod("Easypay", "wallet", 0.075, 0.79),
    PaymentMethod("ublcreditcard", "card", 0.035, 0.82),
    PaymentMethod("mygateway", "card", 0.020, 0.76),
    PaymentMethod("mcblite", "wallet", 0.012, 0.78),
    PaymentMethod("cashatdoorstep", "cod", 0.010, 0.62),
    PaymentMethod("internetbanking", "bank", 0.025, 0.80),
    PaymentMethod("Easypay_MA", "wallet", 0.012, 0.77),
    PaymentMethod("productcredit", "credit", 0.008, 0.90),
    PaymentMethod("marketingexpense", "internal", 0.004, 0.95),
    PaymentMethod("financesettlement", "internal", 0.004, 0.95),
)

NET_SHARE_OF_VALID = 0.60  # completed / (completed + returned)

# (city, province, demand weight); one country, consistent triples, skewed towards Java.
COUNTRY = "Indonesia"
CITIES: tuple[tuple[str, str, float], ...] = (
    ("Jakarta", "DKI Jakarta", 20.0), ("Surabaya", "Jawa Timur", 9.0), ("Bandung", "Jawa Barat", 8.0),
    ("Bekasi", "Jawa Barat", 6.5), ("Tangerang", "Banten", 6.0), ("Medan", "Sumatera Utara", 5.5),
    ("Depok", "Jawa Barat", 4.5), ("Semarang", "Jawa Tengah", 4.0), ("Bogor", "Jawa Barat", 3.8),
    ("Palembang", "Sumatera Selatan", 3.2), ("Makassar", "Sulawesi Selatan", 3.0), ("Yogyakarta", "DI Yogyakarta", 2.8),
    ("Malang", "Jawa Timur", 2.5), ("Batam", "Kepulauan Riau", 2.2), ("Denpasar", "Bali", 2.0),
    ("Pekanbaru", "Riau", 1.8), ("Bandar Lampung", "Lampung", 1.6), ("Padang", "Sumatera Barat", 1.4),
    ("Balikpapan", "Kalimantan Timur", 1.3), ("Samarinda", "Kalimantan Timur", 1.2), ("Surakarta", "Jawa Tengah", 1.2),
    ("Pontianak", "Kalimantan Barat", 1.0), ("Banjarmasin", "Kalimantan Selatan", 1.0), ("Manado", "Sulawesi Utara", 0.9),
    ("Cirebon", "Jawa Barat", 0.8), ("Jambi", "Jambi", 0.7), ("Mataram", "Nusa Tenggara Barat", 0.6),
    ("Kupang", "Nusa Tenggara Timur", 0.45), ("Ambon", "Maluku", 0.35), ("Jayapura", "Papua", 0.3),
)

SUPPLIER_COUNTRIES: tuple[tuple[str, float], ...] = (
    ("Indonesia", 0.6), ("China", 0.2), ("Malaysia", 0.07), ("Singapore", 0.05), ("Japan", 0.04), ("South Korea", 0.04),
)

PLATFORMS = ("web", "android", "ios")
PLATFORM_SHARES = (0.35, 0.45, 0.20)

# ---------------------------------------------------------------- time profiles
WEEKDAY_FACTOR = (1.08, 1.04, 1.00, 0.98, 0.92, 0.86, 1.06)  # Mon..Sun
MONTH_FACTOR = (0.92, 0.84, 0.88, 0.95, 0.97, 1.00, 1.02, 0.98, 0.97, 1.02, 1.25, 1.32)  # Jan..Dec
HOUR_PROFILE = (  # share of orders by hour of day 0..23
    1.6, 0.9, 0.5, 0.35, 0.35, 0.6, 1.2, 2.2, 3.4, 4.6, 5.6, 6.0,
    6.2, 5.8, 5.2, 5.0, 5.0, 5.2, 5.6, 6.4, 7.2, 7.4, 6.0, 3.5,
)
# Twin-date sales and Harbolnas: (month, day, multiplier on that day)
EVENT_DAYS: tuple[tuple[int, int, float], ...] = ((9, 9, 1.5), (10, 10, 1.6), (11, 11, 2.3), (12, 12, 2.6))
ANNUAL_GROWTH = 0.20  # gentle trend: +20% volume per year

# ---------------------------------------------------------------- marketing
OBJECTIVES = ("awareness", "traffic", "conversions", "retention")
OBJECTIVE_SHARES = (0.2, 0.25, 0.4, 0.15)
ACCOUNTS = ("tokoku-main", "tokoku-performance", "agency-growthlab", "agency-adstudio", "marketplace-ads")
CAMPAIGN_THEMES = ("Mega Sale", "Flash Deals", "Payday Sale", "New Arrivals", "Brand Week", "Clearance", "Loyalty Boost", "Weekend Blast")

# placement -> price per reached customer (currency units; an interaction row is one identified
# customer reached, so this is a blended cost, priced to give a return on ad spend of a few x)
AD_PRICES: tuple[tuple[str, float], ...] = (
    ("feed", 3500.0), ("stories", 2800.0), ("search", 6500.0), ("banner", 1200.0), ("video", 4500.0), ("marketplace", 5500.0),
)
AD_FORMATS = ("image", "video", "carousel", "collection")
AD_PLATFORMS = ("facebook", "instagram", "google", "tiktok", "youtube")
AD_PLATFORM_SHARES = (0.30, 0.25, 0.20, 0.15, 0.10)
# which placements each platform sells
PLATFORM_PLACEMENTS = {
    "facebook": ("feed", "stories", "marketplace", "video"),
    "instagram": ("feed", "stories", "video"),
    "google": ("search", "banner", "marketplace"),
    "tiktok": ("feed", "video"),
    "youtube": ("video", "banner"),
}
# Multiplicative funnel effects: probability = base x platform x format x placement (capped).
CTR_BASE, CVR_BASE = 0.060, 0.25
CTR_PLATFORM = {"facebook": 1.0, "instagram": 1.15, "google": 1.6, "tiktok": 0.8, "youtube": 0.6}
CTR_FORMAT = {"image": 0.85, "video": 1.05, "carousel": 1.35, "collection": 1.1}
CTR_PLACEMENT = {"feed": 1.0, "stories": 0.8, "search": 1.7, "banner": 0.5, "video": 0.9, "marketplace": 1.3}
CVR_PLATFORM = {"facebook": 1.0, "instagram": 0.9, "google": 1.4, "tiktok": 0.7, "youtube": 0.6}
CVR_FORMAT = {"image": 1.0, "video": 0.8, "carousel": 1.1, "collection": 1.35}
CVR_PLACEMENT = {"feed": 1.0, "stories": 0.8, "search": 1.5, "banner": 0.7, "video": 0.7, "marketplace": 1.4}

# ---------------------------------------------------------------- sessions
TRAFFIC_SOURCES = ("organic", "direct", "paid_search", "social", "email", "referral")
TRAFFIC_SHARES = (0.32, 0.22, 0.14, 0.18, 0.07, 0.07)
# probability that a session from this source ends in an order
TRAFFIC_CONVERSION = (0.09, 0.14, 0.10, 0.035, 0.18, 0.08)
DEVICES = ("desktop", "mobile", "tablet")

# ---------------------------------------------------------------- fulfilment and reviews
SHIPPING_METHODS = ("standard", "express", "same_day")
SHIPPING_SHARES = (0.70, 0.22, 0.08)
SHIPPING_COST = (12_000, 24_000, 38_000)  # typical cost per method
CARRIERS = ("JNE", "JNT", "SCP", "POS", "TIK")

REVIEW_TEXTS: dict[int, tuple[str, ...]] = {
    1: ("Very disappointed, arrived far too late.", "Item damaged and the seller did not respond.",
        "Not as described. Would not buy again.", "Waited weeks for this, terrible experience."),
    2: ("Took too long to arrive and the packaging was poor.", "Quality is below what I expected.",
        "Delivery was slow, product is just okay.", "Not worth the price."),
    3: ("Average product, delivery could be faster.", "It works, nothing special.",
        "Okay for the price.", "Decent, but the box was dented."),
    4: ("Good product, arrived on time.", "Happy with the purchase, would recommend.",
        "Nice quality, fast enough delivery.", "Works well, well packed."),
    5: ("Excellent! Fast delivery and great quality.", "Exactly as described, super fast shipping.",
        "Love it, will order again.", "Perfect, seller was very responsive."),
}

PROMO_LABELS = ("Flash sale", "Payday deal", "Weekend deal", "Clearance", "Member price", "Bundle promo", "Ramadan special", "Harbolnas deal")
PROMO_PCTS = (5, 10, 15, 20, 25, 30, 40, 50, 70)
PROMO_PCT_SHARES = (0.16, 0.24, 0.17, 0.15, 0.09, 0.09, 0.05, 0.03, 0.02)

# Category mix by season (see timeline.season_state): multipliers on demand_weight.
SEASON_CATEGORY_BOOST: tuple[dict[str, float], ...] = (
    {},
    {"Soghaat": 4.0, "Women Fashion": 1.6, "Men Fashion": 1.6, "Kids & Baby": 1.3, "Superstore": 1.4},  # pre-Eid
    {"School & Education": 2.5, "Books": 1.8},  # back to school
    {"Mobiles & Tablets": 1.4, "Computing": 1.3, "Entertainment": 1.5, "Appliances": 1.3},  # year end
)

LINES_PER_ORDER = (1, 2, 3, 4, 5)
LINES_SHARES = (0.80, 0.12, 0.05, 0.02, 0.01)
AD_ORDER_VALIDITY = 0.85      # attributed orders are mostly confirmed
DISCOUNT_TAKE_UP = 0.85       # share of lines under an active promotion that get it
REVIEW_SHARE = 0.20           # share of delivered orders that get reviews
