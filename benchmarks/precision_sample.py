#!/usr/bin/env python3
"""A blind precision sample of the default findings on fresh async packages (issue 25).

The packages (ROUNDS: a fresh set each round) are none of realcode.py's 20 and none of the
projects of benchmarks/history/.
Run by hand from the repository root (never by the tests; it downloads from PyPI):

    python benchmarks/precision_sample.py run --asynclint .venv/bin/asynclint -o /tmp/fresh.json
    python benchmarks/precision_sample.py draw /tmp/fresh.json --seed 25 --per-rule 20 > /tmp/sample.txt
    python benchmarks/precision_sample.py score benchmarks/precision/issue25.json

``run`` writes a result set in realcode.py's format, so ``realcode.py table``/``diff`` read it.
``draw`` draws, per rule, a seeded random sample of library findings and one of the others
(tests, examples), and prints each with its code to read; each verdict is then written by hand
into a JSON list (package, path, line, code, place, verdict true/false/borderline, reason).
``score`` prints the precision per rule: true / (true + false), borderline counted apart.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import sys

import realcode

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CACHE = os.path.join(HERE, "corpus", "fresh")

# Each round samples packages no earlier round used, so the figure is not on code tuned to flatter.
ROUNDS = {
    "issue25": [
        "quart==0.22.0", "asyncssh==2.24.1", "tortoise-orm==1.1.9", "python-telegram-bot==22.8",
        "slack_bolt==1.30.0", "litestar==2.25.0", "arq==0.28.0", "aiomqtt==2.5.1", "grpclib==0.4.9",
        "hikari==2.7.0", "aiocache==0.12.3", "aiosmtplib==5.1.3", "channels==4.3.2",
    ],
    "round7": [
        "aio-pika==10.2.1", "nats-py==2.16.0", "aiomysql==0.3.2", "aiopg==1.4.0", "databases==0.9.0",
        "gql==4.4.0", "aiobotocore==3.10.0", "aiodocker==0.27.0", "taskiq==0.13.0", "mcp==2.3.0",
        "hypercorn==0.18.0", "aiosmtpd==1.4.6",
    ],
    # Drawn blind on the build the round ends with (round7's false findings were fixed after reading).
    "round7b": [
        "aioftp==0.28.3", "aiormq==7.2.4", "strawberry-graphql==0.341.3", "faststream==0.7.8",
        "beanie==2.2.0", "aiojobs==1.4.0", "aiohttp-session==2.12.1",
    ],
}
VERDICTS = ("true", "false", "borderline")


def run(args: argparse.Namespace) -> None:
    asynclint = os.path.abspath(args.asynclint) if os.sep in args.asynclint else args.asynclint
    results = {"asynclint": asynclint, "extra_args": [], "round": args.round, "packages": {}}
    for requirement in ROUNDS[args.round]:
        root = realcode.fetch(requirement, args.cache)
        findings = realcode.check_folder(asynclint, root, [])
        print(f"{requirement}: {len(findings)} findings", file=sys.stderr)
        results["packages"][realcode.folder_name(requirement)] = {"root": root, "findings": findings}
    with open(args.output, "w") as handle:
        json.dump(results, handle, indent=1)
    realcode.print_table(results["packages"])


def place(finding: dict) -> str:
    """library, or other (tests, examples, docs): library code is sampled on its own."""
    return "library" if realcode.where(finding["path"]) == "library" else "other"


def draw(args: argparse.Namespace) -> None:
    packages = realcode.load(args.results)
    strata = collections.defaultdict(list)
    for name, package in sorted(packages.items()):
        for finding in package["findings"]:
            strata[finding["code"], place(finding)].append((name, package["root"], finding))
    rng = random.Random(args.seed)
    for (code, where), found in sorted(strata.items()):
        found.sort(key=lambda e: (e[0], e[2]["path"], e[2]["line"], e[2]["column"]))
        drawn = rng.sample(found, min(args.per_rule, len(found)))
        print(f"\n{'=' * 100}\n{code} [{where}]: {len(drawn)} drawn of {len(found)} (seed {args.seed})")
        for number, (name, root, finding) in enumerate(drawn, 1):
            print(f"\n--- {code} #{number}  {name} {finding['path'].lstrip('./')}:{finding['line']}:{finding['column']}")
            print(f"    {finding['message']}")
            print(realcode.context(os.path.join(root, finding["path"]), finding["line"],
                                   finding.get("end_line") or finding["line"], args.context))


def score(args: argparse.Namespace) -> None:
    with open(args.verdicts) as handle:
        judged = json.load(handle)["sample"]
    counts = collections.defaultdict(collections.Counter)
    for entry in judged:
        if entry["verdict"] not in VERDICTS:
            sys.exit(f"verdict must be one of {VERDICTS}: {entry}")
        for key in ((entry["code"], entry["place"]), (entry["code"], "all"), ("all", entry["place"]), ("all", "all")):
            counts[key][entry["verdict"]] += 1
    print("| rule | code | judged | true | borderline | false | precision |\n|---|---|---:|---:|---:|---:|---:|")
    for (code, where), tally in sorted(counts.items(), key=lambda item: (item[0][0] == "all", item[0])):
        decided = tally["true"] + tally["false"]
        precision = f"{100 * tally['true'] / decided:.0f}%" if decided else "-"
        print(f"| {code} | {where} | {sum(tally.values())} | {tally['true']} | {tally['borderline']} "
              f"| {tally['false']} | {precision} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="download the packages and check them")
    run_parser.add_argument("--cache", default=DEFAULT_CACHE, help="where to download and unpack (default %(default)s)")
    run_parser.add_argument("--asynclint", default="asynclint", help="the asynclint executable (default: on PATH)")
    run_parser.add_argument("--round", choices=ROUNDS, default=list(ROUNDS)[-1],
                            help="which round's packages (default: the newest, %(default)s)")
    run_parser.add_argument("-o", "--output", required=True, help="write the result set (JSON) here")
    draw_parser = commands.add_parser("draw", help="a seeded sample per rule, library and other apart")
    draw_parser.add_argument("results")
    draw_parser.add_argument("--seed", type=int, default=25)
    draw_parser.add_argument("--per-rule", type=int, default=20)
    draw_parser.add_argument("--context", type=int, default=10, help="lines of code around each finding")
    score_parser = commands.add_parser("score", help="precision per rule from a file of verdicts")
    score_parser.add_argument("verdicts")
    args = parser.parse_args()
    {"run": run, "draw": draw, "score": score}[args.command](args)


if __name__ == "__main__":
    main()
