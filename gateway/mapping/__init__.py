"""The mapping API: declarative mapping files that turn supplier rows into canonical fields with lineage.

This is the public API for readers (built-in and plugin alike)::

    from gateway.mapping import MappingLibrary, RecordBuilder, SourceRow

    library = MappingLibrary()                      # your folders first, then the gateway's mappings/
    spec = library.get("person-csv")                # loaded, schema-validated, compiled (DataFileError if bad)
    row = SourceRow({"la_code": "201", "la_child_id": "C1", "birth_date": "2015-02-01"},
                    file="children.csv", row=1, line=2)
    builder = RecordBuilder(child="C1", record_index=0)
    builder.add(spec, spec.apply(row, child="C1"))  # values + lineage + issues; never raises on bad data
    record = builder.build()                        # one pydantic validation per child; issues in builder.issues

Files: ``mappings/<id>.yaml`` validated by ``schemas/mapping/mapping.schema.json``; code tables in
``mappings/codes/<id>.yaml`` validated by ``schemas/mapping/code-table.schema.json``. Transforms are a
fixed whitelist (:data:`TRANSFORM_NAMES`); what a file cannot express goes in a Python
:class:`MappingStep`. Issue rules raised here: ``map/required``, ``map/date-format``, ``map/invalid-date``,
``map/unmapped-code``, ``map/code-alias``, ``map/invalid-boolean``, ``map/invalid-integer``,
``map/conflict``, ``map/invalid``.
"""

from gateway.mapping._yaml import DataFileError
from gateway.mapping.codes import CodeLookup, CodeTable, CodeTables, code_table_from_data, load_code_table
from gateway.mapping.engine import FieldRule, MappingSpec, MappingStep
from gateway.mapping.loader import MappingLibrary, load_mapping, mapping_from_data
from gateway.mapping.record import RecordBuilder
from gateway.mapping.rows import MappedRow, SourceRow
from gateway.mapping.transforms import DATE_FORMATS, TRANSFORM_NAMES, describe_code, parse_date

__all__ = [
    "DATE_FORMATS",
    "TRANSFORM_NAMES",
    "CodeLookup",
    "CodeTable",
    "CodeTables",
    "DataFileError",
    "FieldRule",
    "MappedRow",
    "MappingLibrary",
    "MappingSpec",
    "MappingStep",
    "RecordBuilder",
    "SourceRow",
    "code_table_from_data",
    "describe_code",
    "load_code_table",
    "load_mapping",
    "mapping_from_data",
    "parse_date",
]
