"""Data in: the synthetic generator, CSV importers and the bulk loader."""
