"""The stream publisher: every committed change of the table that means something to the
domain becomes a domain event on the bus (`translate.py` says what each change means)."""
