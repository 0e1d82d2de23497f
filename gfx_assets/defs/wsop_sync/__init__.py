"""WSOP+ batch sync: events, players, event entries and chip counts copied from the WSOP+ PostgreSQL
on a schedule."""
