"""DfE CIN census 2023-24 rules (pack ``cin-census-2023-24``): one module per DfE rule code.

Module ``rule_8608`` defines DfE rule 8608 as ``RULE`` (id ``cin/8608``); queries keep DfE's ``Q`` suffix
(``rule_1560q`` is ``cin/1560Q``). Messages are DfE's own, word for word.
"""

__all__: list[str] = []
