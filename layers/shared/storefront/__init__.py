"""The storefront package: everything the functions share, shipped in the layer."""

__version__ = "0.1.0"
