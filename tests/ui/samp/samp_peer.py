"""A SAMP hub and a second client for RingMiner's SAMP test, both astropy (Debian python3-astropy).

Usage: /usr/bin/python3 samp_peer.py SCRATCH_DIR

Starts astropy's SAMPHubServer on 127.0.0.1 with its own lockfile SCRATCH_DIR/samp-lockfile (never ~/.samp),
registers a client "ringminer-test-peer" subscribed to table.load.votable, table.select.rowList and
coord.pointAt.sky, and prints one JSON object per line on stdout:
  {"event": "ready", "lockfile": PATH}
  {"event": "message", "mtype": M, "sender": ID, "params": {...}, ...}
For table.load.votable the table is read back with astropy.io.votable from its file URL and the line adds
"nrows", "columns" and "column_values" (every column's values as strings, blanks as "").
Commands, one JSON object per line on stdin:
  {"cmd": "select", "table-id": ID, "url": URL, "rows": [..]}   table.select.rowList to every subscriber
  {"cmd": "highlight", "table-id": ID, "url": URL, "row": N}    table.highlight.row
  {"cmd": "stop-hub"}                                           the hub shuts down (and says so)
  {"cmd": "quit"}
The process ends (stopping the hub) when stdin closes, on quit, or after 120 s whatever happens.
"""
import json
import os
import sys
import threading
import time
import urllib.parse

import warnings

warnings.simplefilter("ignore")

from astropy.io import votable  # noqa: E402
from astropy.samp import SAMPHubServer, SAMPIntegratedClient  # noqa: E402
from astropy.samp.lockfile_helpers import read_lockfile  # noqa: E402

lock = threading.Lock()


def emit(obj):
    with lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def text(v):
    if v is None:
        return ""
    try:
        import numpy as np

        if v is np.ma.masked:
            return ""
        if isinstance(v, bytes):
            return v.decode()
        if isinstance(v, (float, np.floating)):
            return repr(float(v))
    except Exception:
        pass
    return str(v)


def describe_table(url):
    path = urllib.parse.unquote(urllib.parse.urlparse(url).path)
    t = votable.parse_single_table(path).to_table()
    values = {}
    for name in t.colnames:
        col = t[name]
        mask = getattr(col, "mask", None)
        values[name] = ["" if (mask is not None and bool(mask[i])) else text(col[i]) for i in range(len(t))]
    return {"nrows": len(t), "columns": list(t.colnames), "column_values": values}


def main():
    scratch = sys.argv[1]
    lockfile = os.path.join(scratch, "samp-lockfile")
    hub = SAMPHubServer(addr="127.0.0.1", lockfile=lockfile, web_profile=False)
    hub.start(wait=False)
    client = SAMPIntegratedClient(name="ringminer-test-peer", description="RingMiner test peer")
    client.connect(hub_params=read_lockfile(lockfile))

    def received(private_key, sender_id, msg_id, mtype, params, extra):
        record = {"event": "message", "mtype": mtype, "sender": sender_id, "params": params}
        if mtype == "table.load.votable":
            try:
                record.update(describe_table(params["url"]))
            except Exception as e:  # the C++ test fails on this message
                record["error"] = repr(e)
        emit(record)
        if msg_id is not None:
            client.reply(msg_id, {"samp.status": "samp.ok", "samp.result": {}})

    for mtype in ("table.load.votable", "table.select.rowList", "coord.pointAt.sky"):
        client.bind_receive_notification(mtype, lambda pk, s, m, p, e: received(pk, s, None, m, p, e))
        client.bind_receive_call(mtype, received)

    emit({"event": "ready", "lockfile": lockfile, "self_id": client.get_public_id()})

    def watchdog():
        time.sleep(120)
        os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            cmd = json.loads(line)
            if cmd["cmd"] == "select":
                rows = [str(r) for r in cmd["rows"]]
                client.notify_all(
                    {
                        "samp.mtype": "table.select.rowList",
                        "samp.params": {"table-id": cmd["table-id"], "url": cmd["url"], "row-list": rows},
                    }
                )
                emit({"event": "sent", "mtype": "table.select.rowList"})
            elif cmd["cmd"] == "highlight":
                client.notify_all(
                    {
                        "samp.mtype": "table.highlight.row",
                        "samp.params": {"table-id": cmd["table-id"], "url": cmd["url"], "row": str(cmd["row"])},
                    }
                )
                emit({"event": "sent", "mtype": "table.highlight.row"})
            elif cmd["cmd"] == "stop-hub":
                client.disconnect()
                hub.stop()
                emit({"event": "hub-stopped"})
            elif cmd["cmd"] == "quit":
                break
    finally:
        try:
            if client.is_connected:
                client.disconnect()
        except Exception:
            pass
        if hub.is_running:
            hub.stop()


if __name__ == "__main__":
    main()
