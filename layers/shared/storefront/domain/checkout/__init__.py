"""Checkout: a cart snapshot that gathers addresses and a shipping method, then becomes an order."""
