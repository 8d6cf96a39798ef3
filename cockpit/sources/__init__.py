"""Everything that talks to the outside world. No Textual here."""
