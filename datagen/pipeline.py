"""generate = build the synthetic dataset, load it in one transaction, refresh the analytics."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine

from datagen.loader import LoadReport, load_dataset
from datagen.synthetic import GenerationSpec, generate
from schema.refresh import refresh


@dataclass
class GenerateReport:
    orders: int
    generate_seconds: float
    load: LoadReport
    refresh_seconds: float | None = None

    def summary(self) -> str:
        rows = sum(t.rows for t in self.load.tables)
        text = (
            f"generated {self.orders:,} orders ({rows:,} rows in {len(self.load.tables)} tables): "
            f"generate {self.generate_seconds:.1f}s, load {self.load.seconds:.1f}s ({self.load.method})"
        )
        if self.refresh_seconds is not None:
            text += f", refresh {self.refresh_seconds:.1f}s"
        return text


def generate_into(engine: Engine, *, orders: int, seed: int, start: date, months: int, replace: bool) -> GenerateReport:
    spec = GenerationSpec(orders=orders, seed=seed, start=start, months=months)
    t0 = time.perf_counter()
    data = generate(spec)
    gen_seconds = time.perf_counter() - t0
    load = load_dataset(engine, data, replace=replace)
    refreshed = refresh(engine)
    return GenerateReport(orders=orders, generate_seconds=gen_seconds, load=load, refresh_seconds=refreshed.seconds)
