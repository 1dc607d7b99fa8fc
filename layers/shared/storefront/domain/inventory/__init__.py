"""Inventory: stock levels per SKU, adjustments and the low-stock signal."""
