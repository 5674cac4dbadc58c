# Run the test suite on Windows:  powershell -ExecutionPolicy Bypass -File scripts\test.ps1 [pytest arguments...]
#
# Creates or reuses .venv (py -3 -m venv), installs the project with its [test] extra, and runs
# pytest offscreen from the repository root. Exits with pytest's status; "no tests collected"
# (pytest's 5) counts as a failure. No system packages are needed on Windows.
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
Push-Location $root
$oldQpa = $env:QT_QPA_PLATFORM
try {
    . (Join-Path $PSScriptRoot 'venv.ps1')
    $venvPython = Ensure-Venv $root '[test]'

    $env:QT_QPA_PLATFORM = 'offscreen'
    & $venvPython -m pytest @args
    $status = $LASTEXITCODE
    if ($status -eq 5) {
        Write-Host 'test.ps1: pytest collected no tests; treating that as a failure'
        exit 1
    }
    exit $status
}
finally {
    $env:QT_QPA_PLATFORM = $oldQpa
    Pop-Location
}
