"""A stand-in for TOPCAT when it is not installed: a SAMP hub and a client that prints what it receives.

Usage: /usr/bin/python3 scripts/samp-listen.py [--no-hub] [--select-back N] [--seconds N]

Debian's python3-astropy is all it needs. It starts astropy's SAMPHubServer (the standard lockfile,
~/.samp, which RingMiner finds by itself; --no-hub joins a hub that is already running instead), registers a
client "samp-listen" subscribed to table.load.votable, table.select.rowList and coord.pointAt.sky, and prints
one line per message received. A table is read back with astropy.io.votable from the URL RingMiner sent, and
its row count, columns and first rows are printed: what TOPCAT would load. --select-back N then sends the
table's first N rows back as a row subset (table.select.rowList), as TOPCAT's Interop > Send Row Subset does,
so RingMiner selects those galaxies. Ctrl-C, a kill (SIGTERM) or --seconds stops it and the hub.
"""
import argparse
import signal
import sys
import time
import urllib.parse
import warnings

warnings.simplefilter("ignore")

from astropy.io import votable  # noqa: E402
from astropy.samp import SAMPHubServer, SAMPIntegratedClient  # noqa: E402


def say(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def describe_table(url):
    path = urllib.parse.unquote(urllib.parse.urlparse(url).path)
    table = votable.parse_single_table(path).to_table()
    say(f"  {len(table)} rows, columns: {', '.join(table.colnames)}")
    for row in table[:5]:
        say("  " + " | ".join(str(row[c]) for c in table.colnames[:6]))
    return len(table)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-hub", action="store_true", help="join a running hub instead of starting one")
    parser.add_argument("--select-back", type=int, default=0, metavar="N",
                        help="send a received table's first N rows back as a row subset")
    parser.add_argument("--seconds", type=float, default=0, help="stop after this many seconds (0: never)")
    args = parser.parse_args()

    hub = None
    if not args.no_hub:
        hub = SAMPHubServer(addr="127.0.0.1", web_profile=False)
        hub.start(wait=False)
        say("hub started (lockfile ~/.samp)")
    client = SAMPIntegratedClient(name="samp-listen", description="prints what it receives")
    client.connect()
    say("samp-listen registered; waiting for RingMiner")

    def received(private_key, sender_id, msg_id, mtype, params, extra):
        say(f"{mtype} from {sender_id}: {params}")
        rows = 0
        try:
            if mtype == "table.load.votable":
                rows = describe_table(params["url"])
        except Exception as e:  # a table we cannot read is reported, not fatal
            say(f"  cannot read the table: {e}")
        if msg_id is not None:
            client.reply(msg_id, {"samp.status": "samp.ok", "samp.result": {}})
        if rows and args.select_back > 0:
            subset = [str(i) for i in range(min(rows, args.select_back))]
            time.sleep(1.0)
            client.notify_all(
                {
                    "samp.mtype": "table.select.rowList",
                    "samp.params": {"table-id": params.get("table-id", ""), "url": params["url"], "row-list": subset},
                }
            )
            say(f"  sent rows {', '.join(subset)} back as table.select.rowList")

    for mtype in ("table.load.votable", "table.select.rowList", "coord.pointAt.sky"):
        client.bind_receive_call(mtype, received)
        client.bind_receive_notification(
            mtype, lambda pk, sid, mt, params, extra: received(pk, sid, None, mt, params, extra)
        )
    # A kill (SIGTERM) stops the hub like Ctrl-C does: a hub killed without stopping leaves ~/.samp behind,
    # and RingMiner then says "the SAMP hub named by ~/.samp does not answer".
    signal.signal(signal.SIGTERM, lambda signum, frame: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        start = time.time()
        while not args.seconds or time.time() - start < args.seconds:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        client.disconnect()
        if hub is not None:
            hub.stop()
        say("stopped")


if __name__ == "__main__":
    main()
