# Sourced by demo.sh, test.sh and build-bundle.sh: `ensure_venv EXTRAS` creates or reuses .venv
# and installs the project into it ("" for the program, "[test]" for the test suite as well,
# "[build]" for PyInstaller). Extras installed before are kept: "[build]" after "[test]"
# installs "[build,test]".
# Set PYTHON=/path/to/python3.x to choose the interpreter for a new .venv.

find_python() {
    local py
    for py in ${PYTHON:-python3 python3.13 python3.12 python3.11}; do
        if command -v "$py" >/dev/null 2>&1 &&
            "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$py"
            return 0
        fi
    done
    echo "no Python >= 3.11 found (tried: ${PYTHON:-python3 python3.13 python3.12 python3.11})" >&2
    return 1
}

venv_python=.venv/bin/python

# "[test]" "[build]" -> "[build,test]"; "" "" -> ""
merge_extras() {
    printf '%s,%s' "$1" "$2" | tr -d '[]' | tr ',' '\n' | sed '/^$/d' | sort -u | paste -sd, - |
        sed 's/..*/[&]/'
}

ensure_venv() {
    local extras="$1" python stamp pyproject_hash current installed=""
    if [ -e .venv ] && ! "$venv_python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo ".venv is broken or older than Python 3.11; recreating it" >&2
        rm -rf .venv
    fi
    if [ ! -e .venv ]; then
        python="$(find_python)"
        echo "creating .venv with $python ($("$python" --version 2>&1))" >&2
        "$python" -m venv .venv
    fi
    # pip install -e only when pyproject.toml changed or an extra is missing since the last
    # install; the stamp holds the extras installed and pyproject.toml's hash.
    stamp=.venv/.clinic-desk-install-stamp
    pyproject_hash="$("$venv_python" -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')"
    current="$(cat "$stamp" 2>/dev/null || true)"
    if [ -n "$current" ] && [ "${current##* }" = "$pyproject_hash" ]; then
        installed="${current% *}"
        extras="$(merge_extras "$installed" "$extras")"
        [ "$extras" = "$installed" ] && return 0
    fi
    echo "pip install -e .$extras" >&2
    rm -f "$stamp"
    PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv_python" -m pip install -q -e ".$extras"
    echo "$extras $pyproject_hash" > "$stamp"
}
