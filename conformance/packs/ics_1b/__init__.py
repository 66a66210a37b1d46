"""ICS Phase 1B practice rules (pack ``ics-1b``): one module per rule, each defining ``RULE``."""

__all__: list[str] = []
