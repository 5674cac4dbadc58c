#!/usr/bin/env bash
# Set up a real print queue for the printing tests: a CUPS-PDF printer whose jobs arrive as PDF
# files in a known folder.
#
#   scripts/print-queue.sh [output-folder]    # default: /var/spool/cups-pdf/clinic-desk
#
# Starts cupsd when it is not running (there is no systemd in CI containers), adds or updates the
# CUPS-PDF printer, sets `Out` in /etc/cups/cups-pdf.conf to the output folder, and prints that
# folder as the last line of stdout. Needs root or sudo, and the Debian packages cups, cups-bsd,
# cups-client and printer-driver-cups-pdf. When it cannot set the queue up it exits non-zero with
# the reason on stderr (the tests then skip and show that reason). Running it again is harmless.
set -euo pipefail

out_dir="${1:-/var/spool/cups-pdf/clinic-desk}"
printer="CUPS-PDF"
conf="/etc/cups/cups-pdf.conf"

fail() { echo "print-queue.sh: $*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        fail "needs root or password-less sudo to run: $*"
    fi
}

for tool in cupsd lpadmin lpstat lpinfo; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
        fail "$tool not found; install cups, cups-bsd and cups-client"
done
export PATH="$PATH:/usr/sbin"
[ -x /usr/lib/cups/backend/cups-pdf ] || fail "no cups-pdf backend; install printer-driver-cups-pdf"
[ -f "$conf" ] || fail "$conf missing; install printer-driver-cups-pdf"

scheduler_running() { lpstat -r 2>/dev/null | grep -q "is running"; }

if ! scheduler_running; then
    as_root cupsd || fail "cupsd did not start"
    for _ in $(seq 1 50); do
        scheduler_running && break
        sleep 0.1
    done
    scheduler_running || fail "cupsd started but the scheduler does not answer after 5 s"
fi

# The PPD's path differs between cups-pdf versions: ask cups for it instead of guessing.
ppd="$(lpinfo -m 2>/dev/null | awk '/CUPS-PDF_opt\.ppd/ { print $1; exit }')"
[ -n "$ppd" ] || ppd="$(lpinfo -m 2>/dev/null | awk 'tolower($0) ~ /cups-pdf/ { print $1; exit }')"
[ -n "$ppd" ] || fail "lpinfo -m lists no CUPS-PDF driver"

# A sticky world-writable folder: cups-pdf writes each file as the user who printed it.
as_root mkdir -p "$out_dir"
as_root chmod 1777 "$out_dir"
if grep -q '^Out ' "$conf"; then
    as_root sed -i "s|^Out .*|Out $out_dir|" "$conf"
else
    echo "Out $out_dir" | as_root tee -a "$conf" >/dev/null
fi

as_root lpadmin -p "$printer" -E -v cups-pdf:/ -m "$ppd" || fail "lpadmin could not add $printer"
lpstat -p "$printer" >/dev/null 2>&1 || fail "$printer was added but lpstat does not list it"

echo "print-queue.sh: $printer ready (driver $ppd); jobs arrive in $out_dir" >&2
echo "$out_dir"
