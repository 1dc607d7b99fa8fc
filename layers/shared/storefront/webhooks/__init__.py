"""Partner webhooks: where they may be sent (destinations.py), and later how they are signed and delivered."""
