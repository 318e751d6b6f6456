"""Run the N3.Здоровье simulator as a process: python -m integrations.simulators.n3."""

from __future__ import annotations

import argparse
import sys

from integrations.simulators.n3.server import Knobs, N3Simulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m integrations.simulators.n3")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8096)
    parser.add_argument("--store", help="SQLite file of the MIS's appointment book")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--guid", default=Knobs.guid, help="the accepted integration guid")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per call")
    parser.add_argument("--error-rate", type=float, default=0.0, help="0..1 of calls fail")
    parser.add_argument("--outage", choices=("503",), help="answer every call with 503")
    parser.add_argument("--time-zone", default="Europe/Moscow", help="the hub's wall clock")
    parser.add_argument("--clock-skew", type=float, default=0.0, help="seconds ahead")
    parser.add_argument("--doctors", type=int, help="size of the clinic (default: the demo's 44)")
    args = parser.parse_args(argv)
    simulator = N3Simulator(
        host=args.host,
        port=args.port,
        store=args.store,
        seed=args.seed,
        guid=args.guid,
        latency=args.latency,
        error_rate=args.error_rate,
        outage=args.outage,
        time_zone=args.time_zone,
        clock_skew=args.clock_skew,
        doctors=args.doctors,
    )
    sys.stdout.write(
        f"N3.Здоровье simulator at {simulator.url} (WSDL: {simulator.url}?wsdl, "
        f"labs: {simulator.fhir_url}, guid: {args.guid})\n"
    )
    sys.stdout.flush()
    try:
        simulator.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()


if __name__ == "__main__":
    main()
