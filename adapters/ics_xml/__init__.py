"""The ``ics-xml`` format adapter: the gateway's published XML exchange format for ICS practice records.

Schema: ``schemas/ics-xml/ics-exchange-1.1.xsd`` (namespace ``urn:ecm-gateway:ics:1``); supplier guide:
``docs/suppliers/ics-xml.md``. Registered through the ``ecm_gateway`` entry points like any plugin. The
schema is loaded on first use, not at import.
"""

from adapters.ics_xml.reader import IcsXmlReader
from adapters.ics_xml.writer import IcsXmlWriter
from gateway import Plugin

__all__ = ["IcsXmlReader", "IcsXmlWriter", "plugin"]

plugin = Plugin(name="ics-xml", readers=(IcsXmlReader(),), writers=(IcsXmlWriter(),))
