#!/usr/bin/env bash
# Extract every marked string into translations/clinic_desk.pot and merge it into the
# zh_CN, zh_TW and en catalogs (creating a catalog the first time). Catalogs are compiled
# in memory when the program loads them, so there is no compile step.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 -k pgettext:1c,2 \
    --no-location --sort-output --project clinic_desk --copyright-holder "clinic_desk" \
    -o translations/clinic_desk.pot clinic_desk
for language in zh_CN zh_TW en; do
    catalog="translations/$language/LC_MESSAGES/clinic_desk.po"
    if [[ -f "$catalog" ]]; then
        pybabel update -D clinic_desk -i translations/clinic_desk.pot -d translations -l "$language" \
            --no-fuzzy-matching --ignore-obsolete
    else
        pybabel init -D clinic_desk -i translations/clinic_desk.pot -d translations -l "$language"
    fi
done
