"""Plan files: YAML <-> Plan, with every problem reported at once (file, line, key path) and atomic saves.

``yamltree`` reads YAML with the line of each key path, ``tables`` holds the file's shape (each field's
rules are in ``pricing.fields``),
``read`` builds the frozen ``Plan``, ``write`` turns it back into YAML and saves it. Import from here.
"""
from pricing.atomic import write_atomically
from pricing.planfile.read import PlanText, load, loads, read, reads
from pricing.planfile.tables import (_SHARE_FIELDS, GROUP_KEYS, INTEGER_FIELDS, LIST_SECTIONS, MAX_MONTHS, PLATFORM,
                                     RANGEABLE, TOP_KEYS)
from pricing.planfile.write import FileChangedError, dumps, fingerprint, save, to_data
from pricing.planfile.yamltree import MAX_BYTES, MAX_DEPTH, MAX_NODES

__all__ = ["GROUP_KEYS", "INTEGER_FIELDS", "LIST_SECTIONS", "MAX_BYTES", "MAX_DEPTH", "MAX_MONTHS",
           "MAX_NODES", "PLATFORM", "RANGEABLE", "TOP_KEYS", "FileChangedError", "dumps", "fingerprint", "load",
           "loads", "PlanText", "read", "reads", "save", "to_data", "write_atomically", "_SHARE_FIELDS"]
