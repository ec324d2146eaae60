"""Small Faker-built pools (names, street addresses, company names) that the generator samples.

Faker is used only here, seeded with the generation seed, to produce a few thousand strings;
rows never call Faker. The pools are NumPy object arrays so sampling is one fancy-index.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from faker import Faker


@dataclass(frozen=True)
class Pools:
    female_names: np.ndarray    # "Siti Rahayu"
    male_names: np.ndarray
    female_locals: np.ndarray   # e-mail local parts matching the names: "siti.rahayu"
    male_locals: np.ndarray
    addresses: np.ndarray       # street part only; city/state come from the city table
    companies: np.ndarray       # supplier names
    company_slugs: np.ndarray   # for supplier contact e-mails
    email_domains: np.ndarray


def _slug(text: str, sep: str = ".") -> str:
    return re.sub(r"[^a-z0-9]+", sep, text.lower()).strip(sep)


def build_pools(seed: int, *, names: int = 600, addresses: int = 1000, companies: int = 300) -> Pools:
    """Build the pools deterministically from `seed` (Faker id_ID for people, en_US for firms)."""
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    female = [f"{fake.first_name_female()} {fake.last_name_female()}" for _ in range(names)]
    male = [f"{fake.first_name_male()} {fake.last_name_male()}" for _ in range(names)]
    street = [fake.street_address() for _ in range(addresses)]
    firms_fake = Faker("en_US")
    firms_fake.seed_instance(seed + 1)
    firms = []
    seen: set[str] = set()
    while len(firms) < companies:  # a pool, not rows: a few hundred calls
        name = firms_fake.company()
        if name not in seen:
            seen.add(name)
            firms.append(name)
    obj = lambda xs: np.array(xs, dtype=object)  # noqa: E731
    return Pools(
        female_names=obj(female),
        male_names=obj(male),
        female_locals=obj([_slug(n) for n in female]),
        male_locals=obj([_slug(n) for n in male]),
        addresses=obj(street),
        companies=obj(firms),
        company_slugs=obj([_slug(n, "") for n in firms]),
        email_domains=obj(["gmail.com", "yahoo.co.id", "gmail.com", "outlook.com", "gmail.com", "ymail.com", "hotmail.com"]),
    )
