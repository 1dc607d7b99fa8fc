"""Orders: what a completed checkout becomes, and the states it moves through."""
