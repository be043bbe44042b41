"""Demo shop used to fill a fresh kefu-assistant database with believable data."""
