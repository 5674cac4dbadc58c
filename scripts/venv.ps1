# Dot-sourced by demo.ps1 and test.ps1: `Ensure-Venv $root $extras` creates or reuses .venv and
# installs the project into it ('' for the program, '[test]' for the test suite as well).
# Returns the path of the venv's python.exe; throws when Python or pip fails.
function Ensure-Venv([string]$root, [string]$extras) {
    $venvPython = Join-Path $root '.venv\Scripts\python.exe'
    if (Test-Path $venvPython) {
        & $venvPython -c 'import sys; sys.exit(sys.version_info < (3, 11))'
        if ($LASTEXITCODE -ne 0) {
            Write-Host '.venv is broken or older than Python 3.11; recreating it'
            Remove-Item -Recurse -Force (Join-Path $root '.venv')
        }
    }
    if (-not (Test-Path $venvPython)) {
        Write-Host 'creating .venv with py -3'
        py -3 -m venv (Join-Path $root '.venv') | Out-Host
        if ($LASTEXITCODE -ne 0) { throw 'py -3 -m venv failed (is Python >= 3.11 installed with the py launcher?)' }
        & $venvPython -c 'import sys; sys.exit(sys.version_info < (3, 11))'
        if ($LASTEXITCODE -ne 0) { throw 'clinic-desk needs Python >= 3.11 (py -3 chose an older one)' }
    }
    # pip install -e only when pyproject.toml (or the extra) changed since the last install;
    # a .venv installed with [test] already has everything the program needs.
    $stamp = Join-Path $root '.venv\.clinic-desk-install-stamp'
    $hash = (Get-FileHash -Algorithm SHA256 (Join-Path $root 'pyproject.toml')).Hash.ToLower()
    $haveStamp = if (Test-Path $stamp) { "$(Get-Content -Raw $stamp)".Trim() } else { '' }
    if ($haveStamp -ne "$extras $hash".Trim() -and $haveStamp -ne "[test] $hash") {
        Write-Host "pip install -e .$extras"
        if (Test-Path $stamp) { Remove-Item -Force $stamp }
        $env:PIP_DISABLE_PIP_VERSION_CHECK = '1'
        & $venvPython -m pip install -q -e "$root$extras" | Out-Host
        if ($LASTEXITCODE -ne 0) { throw 'pip install failed' }
        Set-Content -NoNewline -Path $stamp -Value "$extras $hash".Trim()
    }
    return $venvPython
}
