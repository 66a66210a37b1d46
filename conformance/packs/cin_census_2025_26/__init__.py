"""DfE CIN census 2025-26 rules (pack ``cin-census-2025-26``): inherited from 2024-25 unchanged.

Neither DfE's rule table (``conformance/data/cin-census/dfe_rules.csv``) nor the community validator's
2025-26 rule set adds, changes or deletes a rule for 2025-26, and the 2026 schema's code lists equal the
2025 ones; a 2025-26 rule change goes in this folder as a module of its own.
"""

__all__: list[str] = []
