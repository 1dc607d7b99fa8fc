"""Reviews: one per customer and product, moderated, and the product's running rating."""
