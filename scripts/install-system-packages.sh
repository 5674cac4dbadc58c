#!/usr/bin/env bash
# Install the Debian/Ubuntu packages clinic-desk needs.
#
#   scripts/install-system-packages.sh           # packages to run the program (system-packages.txt)
#   scripts/install-system-packages.sh --tests   # ... plus what the test suite needs (test-packages.txt)
#   scripts/install-system-packages.sh --build   # ... plus what building the bundle needs (build-packages.txt)
#
# Skips apt entirely when every package is already installed, so repeated runs take well under
# a second. Uses sudo only when not running as root. Works on Debian 12 and Ubuntu 22.04/24.04;
# on other systems it prints the lists and does nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
lists=("$here/system-packages.txt")

for arg in "$@"; do
    case "$arg" in
        --tests) lists+=("$here/test-packages.txt") ;;
        --build) lists+=("$here/build-packages.txt") ;;
        -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install-system-packages.sh: unknown argument: $arg (use --tests, --build or nothing)" >&2; exit 2 ;;
    esac
done

log() { echo "install-system-packages: $*" >&2; }

# Package names from the lists: '#' starts a comment, blank lines are ignored.
wanted=()
while read -r name; do
    wanted+=("$name")
done < <(awk '{ sub(/#.*/, ""); for (i = 1; i <= NF; i++) print $i }' "${lists[@]}")

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    log "no apt-get/dpkg-query here (not Debian/Ubuntu); install the equivalents of these yourself:"
    log "  ${wanted[*]}"
    exit 0
fi

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        log "not root and sudo is not installed; run as root: apt-get install ${missing[*]:-}"
        exit 1
    fi
}

apt_get() { as_root env DEBIAN_FRONTEND=noninteractive apt-get "$@"; }

# Names satisfied by installed packages: the package names plus everything they Provide
# (so a virtual name such as cups-pdf counts once its provider is installed).
declare -A installed=()
while read -r name; do
    [ -n "$name" ] && installed["$name"]=1
done < <(dpkg-query -W -f='${db:Status-Abbrev}\t${Package}\t${Provides}\n' 2>/dev/null |
    awk -F'\t' '$1 ~ /^ii/ {
        print $2
        n = split($3, p, /, */)
        for (i = 1; i <= n; i++) { sub(/[ :(].*/, "", p[i]); print p[i] }
    }')

# Ubuntu 24.04 renamed some libraries for 64-bit time_t (libglib2.0-0 -> libglib2.0-0t64,
# libcups2 -> libcups2t64); either name satisfies the requirement.
is_installed() { [ -n "${installed[$1]:-}" ] || [ -n "${installed[${1}t64]:-}" ]; }

missing=()
for name in "${wanted[@]}"; do
    is_installed "$name" || missing+=("$name")
done

has_candidate() {
    LC_ALL=C apt-cache policy "$1" 2>/dev/null | grep -q '^  Candidate: [^(]'
}

# Some Python >= 3.11 (the project's requires-python) with the venv module?
python_ok() {
    local py
    for py in python3 python3.13 python3.12 python3.11; do
        command -v "$py" >/dev/null 2>&1 &&
            "$py" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 &&
            return 0
    done
    return 1
}

updated=0
if [ "${#missing[@]}" -eq 0 ]; then
    log "all ${#wanted[@]} packages already installed; skipping apt-get"
else
    log "installing ${#missing[@]} missing package(s): ${missing[*]}"
    apt_get update -qq
    updated=1
    resolved=()
    for name in "${missing[@]}"; do
        if ! has_candidate "$name" && has_candidate "${name}t64"; then
            resolved+=("${name}t64")
        else
            resolved+=("$name")   # a real package, or a virtual one apt resolves itself
        fi
    done
    apt_get install -y -q --no-install-recommends "${resolved[@]}"
fi

# Ubuntu 22.04's python3 is 3.10; the project needs >= 3.11 and jammy ships python3.11 as well.
if ! python_ok; then
    [ "$updated" -eq 1 ] || apt_get update -qq
    if has_candidate python3.11-venv; then
        log "python3 is older than 3.11; installing python3.11 and python3.11-venv"
        apt_get install -y -q --no-install-recommends python3.11 python3.11-venv
    else
        log "clinic-desk needs Python >= 3.11 and this system's apt has none; install one yourself"
        exit 1
    fi
fi
