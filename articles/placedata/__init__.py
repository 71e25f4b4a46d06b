"""Reading gazetteer files into place records, and saving them into the one place tree.

One module per source: ``opensyria`` (the administrative tree), ``geonames`` (towns, placed in
that tree), ``curated`` (editors' CSV, seeds/places.csv), ``seed`` (seeds/gazetteer.json, written
from the others); ``files`` picks the reader for each file, parents first. A new source (OCHA's
communities and neighbourhoods) is one more module beside them, returning records, plus its line
in ``files.read_paths``.

Every reader returns plain ``PlaceRecord`` objects (``records``); ``save.save_places`` is the one
writer. Saving matches an existing place by OCHA p-code, then GeoNames id, then import key, and
updates it, so running an import twice changes nothing and never duplicates a place. Aliases are
merged, never replaced, so what editors typed in the admin survives a re-import.
"""

from .curated import CSV_COLUMNS, read_csv
from .files import read_paths
from .geonames import read_geonames
from .opensyria import OPENSYRIA_FILES, read_opensyria
from .records import (
    ROOT_KEY,
    PlaceDataError,
    PlaceRecord,
    clean_arabic,
    name_likeness,
    root_record,
)
from .save import save_places
from .seed import read_seed, write_seed

__all__ = [
    "CSV_COLUMNS",
    "OPENSYRIA_FILES",
    "ROOT_KEY",
    "PlaceDataError",
    "PlaceRecord",
    "clean_arabic",
    "name_likeness",
    "read_csv",
    "read_geonames",
    "read_opensyria",
    "read_paths",
    "read_seed",
    "root_record",
    "save_places",
    "write_seed",
]
