#!/usr/bin/env python3
"""The search quality ratchet (ctest: search_quality.ratchet; docs/SEARCH.md).

Usage: run_ratchet.py --eval SEARCH_EVAL --data KB_DIR --out-dir DIR [--ratchet FILE] [--update]

Runs search_eval on KB_DIR/queries-dev.jsonl over KB_DIR/debian-docs.jsonl, then compares the
figures of our engine with the ones recorded in ratchet.json (beside this script):
  * fails when a recorded figure got worse by more than the recorded tolerance (the suggest_ticket
    rate on answerable queries is worse when it rises; every other figure when it falls);
  * fails when figures of ours are recorded but ours could not be measured;
  * passes, saying so, while our search methods do not exist yet (only the baselines are measured);
  * prints the distance of every engine to the targets of issue 3.
With --update it rewrites ratchet.json from this run instead (after the engine improved; review the
diff). Exits 77 (ctest SKIP_RETURN_CODE) when KB_DIR is absent: the data is not in the repository.
"""
import argparse
import json
import os
import subprocess
import sys

SKIP = 77
GROUPS = ["all", "zh", "en"]
METRICS = ["nDCG@10", "P@1", "success@5", "MRR@10", "R@5"]
OURS = ["ours", "ours-ranked"]  # with the suggest_ticket cut, and the hits as ranked
BASELINES = ["fts5-default", "fts5-trigram"]
TOLERANCE = 0.005
ABOUT = ("Figures of our engine on queries-dev.jsonl, recorded by run_ratchet.py --update. "
         "search_quality.ratchet fails when one gets worse by more than the tolerance. "
         "'reference' holds the FTS5 baselines of the same run; they are not enforced. See docs/SEARCH.md.")

# (label, engine, group, figure, target, higher_is_better): issue 3, section 5.
TARGETS = [
    ("nDCG@10 all", "ranked", "all", "nDCG@10", 0.70, True),
    ("nDCG@10 zh", "ranked", "zh", "nDCG@10", 0.65, True),
    ("nDCG@10 en", "ranked", "en", "nDCG@10", 0.65, True),
    ("P@1 all", "ranked", "all", "P@1", 0.65, True),
    ("success@5 all", "ranked", "all", "success@5", 0.85, True),
    ("suggest_ticket no-answer", "suggest", "all", "no_answer", 0.70, True),
    ("suggest_ticket answerable", "suggest", "all", "answerable", 0.15, False),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", required=True, help="the search_eval program")
    parser.add_argument("--data", required=True, help="the knowledge-base folder (../shared/data/kb)")
    parser.add_argument("--out-dir", required=True, help="where search_eval writes its runs")
    parser.add_argument("--ratchet", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "ratchet.json"))
    parser.add_argument("--update", action="store_true", help="record this run's figures in the ratchet file")
    return parser.parse_args()


def run_eval(args):
    command = [args.eval,
               "--corpus", os.path.join(args.data, "debian-docs.jsonl"),
               "--queries", os.path.join(args.data, "queries-dev.jsonl"),
               "--out-dir", args.out_dir,
               "--python", sys.executable]
    print("$ " + " ".join(command), flush=True)
    if subprocess.run(command).returncode != 0:
        sys.exit("search_quality: search_eval failed")
    with open(os.path.join(args.out_dir, "summary.json"), encoding="utf-8") as f:
        return json.load(f)


def figures_of(summary, engine):
    """{group: {metric: value}} of one engine of the run."""
    groups = summary["engines"][engine]["groups"]
    return {g: {m: round(groups[g][m], 4) for m in METRICS if groups[g][m] is not None} for g in GROUPS}


def recordable(summary):
    """What --update records: the figures of ours (empty while ours is unavailable), and the baselines."""
    recorded = {}
    if summary["ours_available"]:
        for engine in OURS:
            recorded[engine] = figures_of(summary, engine)
        rates = summary["engines"]["ours"]["suggest_ticket"]["all"]
        recorded["ours"]["suggest_ticket"] = {k: round(rates[k], 4) for k in ("no_answer", "answerable")}
    reference = {engine: figures_of(summary, engine) for engine in BASELINES}
    return recorded, reference


def flatten(tree, prefix=""):
    """{"ours.all.nDCG@10": value, ...}"""
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(flatten(value, prefix + key + "."))
        else:
            out[prefix + key] = value
    return out


def lower_is_better(name):
    return name.endswith("suggest_ticket.answerable")


def compare(recorded, measured, tolerance):
    """Prints recorded vs measured; returns the names of the figures that got worse."""
    old, new = flatten(recorded), flatten(measured)
    worse, improved = [], []
    print("\n%-34s %9s %9s %9s" % ("recorded figure (changed ones)", "recorded", "now", "change"))
    for name, before in old.items():
        now = new.get(name)
        if now is None:
            print("%-34s %9.4f %9s   MISSING" % (name, before, "-"))
            worse.append(name)
            continue
        gain = (before - now) if lower_is_better(name) else (now - before)
        verdict = ""
        if gain < -tolerance:
            verdict = "  WORSE"
            worse.append(name)
        elif gain > tolerance:
            verdict = "  better"
            improved.append(name)
        if abs(now - before) >= 0.00005:
            print("%-34s %9.4f %9.4f %+9.4f%s" % (name, before, now, now - before, verdict))
    print("(%d of %d recorded figures unchanged)" % (sum(1 for n in old if new.get(n) == old[n]), len(old)))
    if improved and not worse:
        print("\n%d figure(s) improved: record them with run_ratchet.py --update "
              "(or cmake --build BUILD --target search_quality_update)." % len(improved))
    return worse


def warn_on_reference_drift(reference, measured, tolerance):
    old, new = flatten(reference), flatten(measured)
    moved = [n for n, v in old.items() if n in new and abs(new[n] - v) > tolerance]
    if moved:
        print("\nwarning: the FTS5 baselines moved since the figures were recorded (%s ...): the data, "
              "score.py, SQLite or search_eval changed, so the recorded figures of ours may no longer be "
              "comparable. Check, then run --update." % ", ".join(moved[:3]))


def print_targets(summary):
    engines = [e for e in BASELINES + OURS if e in summary["engines"]]
    print("\ndistance to the targets of issue 3 (value, and the gap when not met)")
    print("%-27s %8s" % ("target", "") + "".join("%18s" % e for e in engines))
    for label, kind, group, figure, target, higher in TARGETS:
        cells = []
        for engine in engines:
            data = summary["engines"][engine]
            if kind == "suggest":
                value = data.get("suggest_ticket", {}).get(group, {}).get(figure) if engine == "ours" else None
            else:
                value = data["groups"][group].get(figure)
            if value is None:
                cells.append("%18s" % "-")
                continue
            met = value >= target if higher else value <= target
            cells.append("%18s" % ("%.3f %s" % (value, "met" if met else "(%+.3f)" % (value - target))))
        print("%-27s %8s" % (label, ("%s %.2f" % (">=" if higher else "<=", target))) + "".join(cells))


def write_ratchet(path, recorded, reference, tolerance):
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"about": ABOUT, "tolerance": tolerance, "recorded": recorded, "reference": reference},
                  f, indent=2, sort_keys=False, ensure_ascii=False)
        f.write("\n")


def main():
    args = parse_args()
    if not all(os.path.isfile(os.path.join(args.data, name))
               for name in ("debian-docs.jsonl", "queries-dev.jsonl", "score.py")):
        print("search_quality: SKIPPED, no knowledge-base data at %s (the shared/data/kb folder beside the "
              "repository; it is not part of the repository)" % os.path.abspath(args.data))
        return SKIP
    summary = run_eval(args)
    measured, reference_now = recordable(summary)
    print_targets(summary)

    if args.update:
        write_ratchet(args.ratchet, measured, reference_now, TOLERANCE)
        print("\nrecorded in %s: %s" % (args.ratchet, "the figures of ours and the baselines"
                                        if measured else "the baselines only (ours is not available yet)"))
        return 0

    with open(args.ratchet, encoding="utf-8") as f:
        ratchet = json.load(f)
    tolerance = ratchet.get("tolerance", TOLERANCE)
    recorded = ratchet.get("recorded") or {}
    warn_on_reference_drift(ratchet.get("reference") or {}, reference_now, tolerance)

    if not summary["ours_available"]:
        if recorded:
            print("\nFAILED: figures of ours are recorded in %s, but our search methods are not available"
                  % args.ratchet)
            return 1
        print("\nPASSED: our search methods are not available yet; only the FTS5 baselines were measured.")
        return 0
    if not recorded:
        print("\nPASSED, but nothing is recorded for ours yet: run run_ratchet.py --update (or cmake --build "
              "BUILD --target search_quality_update) and commit ratchet.json to start the ratchet.")
        return 0
    worse = compare(recorded, measured, tolerance)
    if worse:
        print("\nFAILED: %d figure(s) got worse than recorded by more than %.3f: %s"
              % (len(worse), tolerance, ", ".join(worse)))
        return 1
    print("\nPASSED: no recorded figure of ours got worse by more than %.3f." % tolerance)
    return 0


if __name__ == "__main__":
    sys.exit(main())
