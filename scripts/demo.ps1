# Open clinic-desk on a demo database on Windows:
#   powershell -ExecutionPolicy Bypass -File scripts\demo.ps1 [more clinic-desk arguments...]
#
# Creates or reuses .venv (py -3 -m venv), installs the project into it, and starts
# `clinic-desk --demo`, exiting with its status. No system packages are needed on Windows.
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
Push-Location $root
try {
    # --- .venv (same block in scripts\test.ps1) ----------------------------------------------------
    $venvPython = Join-Path $root '.venv\Scripts\python.exe'
    if (Test-Path $venvPython) {
        & $venvPython -c 'import sys; sys.exit(sys.version_info < (3, 11))'
        if ($LASTEXITCODE -ne 0) {
            Write-Host 'demo.ps1: .venv is broken or older than Python 3.11; recreating it'
            Remove-Item -Recurse -Force (Join-Path $root '.venv')
        }
    }
    if (-not (Test-Path $venvPython)) {
        Write-Host 'demo.ps1: creating .venv with py -3'
        py -3 -m venv .venv
        if ($LASTEXITCODE -ne 0) { Write-Host 'demo.ps1: py -3 -m venv failed (is Python >= 3.11 installed with the py launcher?)'; exit $LASTEXITCODE }
        & $venvPython -c 'import sys; sys.exit(sys.version_info < (3, 11))'
        if ($LASTEXITCODE -ne 0) { Write-Host 'demo.ps1: clinic-desk needs Python >= 3.11 (py -3 chose an older one)'; exit 1 }
    }

    # pip install -e only when pyproject.toml changed since the last install. A .venv made by
    # scripts\test.ps1 (with [test]) already has everything the program needs.
    $stamp = Join-Path $root '.venv\.clinic-desk-install-stamp'
    $hash = (Get-FileHash -Algorithm SHA256 (Join-Path $root 'pyproject.toml')).Hash.ToLower()
    $haveStamp = if (Test-Path $stamp) { "$(Get-Content -Raw $stamp)".Trim() } else { '' }
    if ($haveStamp -ne $hash -and $haveStamp -ne "[test] $hash") {
        Write-Host 'demo.ps1: pip install -e .'
        if (Test-Path $stamp) { Remove-Item -Force $stamp }
        $env:PIP_DISABLE_PIP_VERSION_CHECK = '1'
        & $venvPython -m pip install -q -e .
        if ($LASTEXITCODE -ne 0) { Write-Host 'demo.ps1: pip install failed'; exit $LASTEXITCODE }
        Set-Content -NoNewline -Path $stamp -Value $hash
    }
    # ------------------------------------------------------------------------------------------------

    & (Join-Path $root '.venv\Scripts\clinic-desk.exe') --demo @args
    exit $LASTEXITCODE
}
finally {
    Pop-Location
}
