"""The caller's wishlist: products saved for later, shown with their current price and stock."""
