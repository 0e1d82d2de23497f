"""Hands, seats, events and players of the broadcast schema, and the snapshot ledger, per GFX PC."""
