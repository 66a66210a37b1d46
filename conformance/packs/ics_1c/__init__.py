"""ICS Phase 1C information-sharing rules (pack ``ics-1c``, which includes ``ics-1b``): one module per rule."""

__all__: list[str] = []
