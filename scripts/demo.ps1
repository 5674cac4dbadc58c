# Open clinic-desk on a demo database on Windows:
#   powershell -ExecutionPolicy Bypass -File scripts\demo.ps1 [more clinic-desk arguments...]
#
# Creates or reuses .venv (py -3 -m venv), installs the project into it, and starts
# `clinic-desk --demo`, exiting with its status. No system packages are needed on Windows.
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
Push-Location $root
try {
    . (Join-Path $PSScriptRoot 'venv.ps1')
    $venvPython = Ensure-Venv $root ''

    & (Join-Path $root '.venv\Scripts\clinic-desk.exe') --demo @args
    exit $LASTEXITCODE
}
finally {
    Pop-Location
}
