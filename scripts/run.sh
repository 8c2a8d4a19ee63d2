#!/bin/sh
# make run: the main job (scripts/demo.py): postmortem dumps a QEMU guest's
# planted memory to a virtual disk, savecore extracts it, and every planted
# byte is checked.
set -eu
cd "$(dirname "$0")/.."
exec python3 scripts/demo.py
