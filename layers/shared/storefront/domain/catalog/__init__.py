"""The catalog: categories (a tree with inherited attribute definitions), products and variants."""
