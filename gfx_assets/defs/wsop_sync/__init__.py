"""WSOP+ batch sync: events, players and chip counts copied from the WSOP+ PostgreSQL on a schedule."""
