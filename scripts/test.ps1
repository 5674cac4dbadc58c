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
    # --- .venv (same block in scripts\demo.ps1) ----------------------------------------------------
    $venvPython = Join-Path $root '.venv\Scripts\python.exe'
    if (Test-Path $venvPython) {
        & $venvPython -c 'import sys; sys.exit(sys.version_info < (3, 11))'
        if ($LASTEXITCODE -ne 0) {
            Write-Host 'test.ps1: .venv is broken or older than Python 3.11; recreating it'
            Remove-Item -Recurse -Force (Join-Path $root '.venv')
        }
    }
    if (-not (Test-Path $venvPython)) {
        Write-Host 'test.ps1: creating .venv with py -3'
        py -3 -m venv .venv
        if ($LASTEXITCODE -ne 0) { Write-Host 'test.ps1: py -3 -m venv failed (is Python >= 3.11 installed with the py launcher?)'; exit $LASTEXITCODE }
        & $venvPython -c 'import sys; sys.exit(sys.version_info < (3, 11))'
        if ($LASTEXITCODE -ne 0) { Write-Host 'test.ps1: clinic-desk needs Python >= 3.11 (py -3 chose an older one)'; exit 1 }
    }

    # pip install -e only when pyproject.toml (or the extra) changed since the last install.
    $extras = '[test]'
    $stamp = Join-Path $root '.venv\.clinic-desk-install-stamp'
    $wantStamp = "$extras " + (Get-FileHash -Algorithm SHA256 (Join-Path $root 'pyproject.toml')).Hash.ToLower()
    $haveStamp = if (Test-Path $stamp) { "$(Get-Content -Raw $stamp)".Trim() } else { '' }
    if ($haveStamp -ne $wantStamp) {
        Write-Host "test.ps1: pip install -e .$extras"
        if (Test-Path $stamp) { Remove-Item -Force $stamp }
        $env:PIP_DISABLE_PIP_VERSION_CHECK = '1'
        & $venvPython -m pip install -q -e ".$extras"
        if ($LASTEXITCODE -ne 0) { Write-Host 'test.ps1: pip install failed'; exit $LASTEXITCODE }
        Set-Content -NoNewline -Path $stamp -Value $wantStamp
    }
    # ------------------------------------------------------------------------------------------------

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
