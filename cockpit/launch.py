"""Start the interactive parts (live cockpit, demo, replay, doctor); imports Textual lazily."""

from __future__ import annotations

import argparse
import sys


def _not_yet(what: str) -> int:
    print(f"cockpit: {what} is not available in this build yet", file=sys.stderr)
    return 2


def run_live(args: argparse.Namespace) -> int:
    return _not_yet("the live cockpit")


def run_demo(args: argparse.Namespace) -> int:
    return _not_yet("the demo")


def run_replay(args: argparse.Namespace) -> int:
    return _not_yet("replay")


def run_doctor(args: argparse.Namespace) -> int:
    return _not_yet("doctor")
