"""DfE CIN census 2024-25 rules (pack ``cin-census-2024-25``): the rules DfE added or changed over 2023-24.

Added: 1570, 1580, 8945Q, 8950Q. Changed: 2886Q, 4180 and 8750 (``Sex`` M/F/U replaced ``GenderCurrent``
1/2/0/9), 8770Q (school age from 31 August). Deleted: none. Every other rule is inherited from 2023-24.
"""

__all__: list[str] = []
