"""Reference VOTables for tests/core/test_votable.cpp, through astropy.io.votable (run under /usr/bin/python3).

write FORMAT PATH  writes the reference table with tabledata_format FORMAT (tabledata, binary or binary2)
read PATH          reads a VOTable and prints its first table as JSON: {column: [value or null, ...]}
"""
import json
import math
import sys
import warnings

import numpy as np
from astropy.io import votable
from astropy.table import MaskedColumn, Table


def reference():
    t = Table()
    t["ra"] = np.array([10.684708, 150.1, 359.999999, 0.0])
    t["ra"].unit = "deg"
    t["dec"] = np.array([41.26875, -2.5, 89.9, -90.0])
    t["dec"].unit = "deg"
    t["id"] = MaskedColumn(np.array([1, 2, 0, -9000000000], dtype=np.int64), mask=[False, False, True, False])
    t["mag"] = MaskedColumn(np.array([15.5, 0, 17.25, -1.5], dtype=np.float32), mask=[False, True, False, False])
    t["small"] = np.array([-5, 7, 300, 0], dtype=np.int16)
    t["name"] = np.array(["M31", 'NGC 1300 ring, "x"', "Zwicky \u00fc", ""])
    t["flag"] = np.array([True, False, True, False])
    return t


def main():
    if sys.argv[1] == "write":
        fmt, path = sys.argv[2], sys.argv[3]
        vt = votable.from_table(reference())
        # BINARY has no null flags: a masked integer needs a null value (TABLEDATA and BINARY2 do not).
        if fmt in ("binary", "binary2"):  # astropy 5.2 wants one for BINARY2 as well
            vt.get_first_table().get_field_by_id("id").values.null = -999
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            vt.to_xml(path, tabledata_format=fmt)
        return
    path = sys.argv[2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = votable.parse(path).get_first_table()
    out = {}
    for field in table.fields:
        column = table.array[field.name]
        values = []
        for v, m in zip(column.data, np.ma.getmaskarray(column)):
            if m:
                values.append(None)
            elif isinstance(v, (bytes, np.bytes_)):
                values.append(v.decode())
            elif isinstance(v, (np.floating, float)):
                values.append(None if math.isnan(v) else float(v))
            elif isinstance(v, (np.bool_, bool)):
                values.append(bool(v))
            elif isinstance(v, (np.integer, int)):
                values.append(int(v))
            else:
                values.append(str(v))
        out[field.name] = {"values": values, "datatype": field.datatype, "unit": str(field.unit or ""),
                           "ucd": field.ucd or ""}
    print(json.dumps(out))


main()
