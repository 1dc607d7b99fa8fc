"""Shipping: zones of countries with their methods and rates, and the provider port checkout quotes through."""
