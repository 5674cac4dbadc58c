# Dot-sourced by demo.ps1, test.ps1 and build-bundle.ps1: `Ensure-Venv $root $extras` creates or
# reuses .venv and installs the project into it ('' for the program, '[test]' for the test suite
# as well, '[build]' for PyInstaller). Extras installed before are kept: '[build]' after '[test]'
# installs '[build,test]'. Returns the path of the venv's python.exe; throws when Python or pip
# fails.

# '[test]' '[build]' -> '[build,test]'; '' '' -> ''
function Merge-Extras([string]$installed, [string]$wanted) {
    $names = @("$installed,$wanted" -replace '[\[\]]', '' -split ',' |
        Where-Object { $_ } | Sort-Object -Unique)
    if ($names.Count -eq 0) { return '' }
    return '[' + ($names -join ',') + ']'
}

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
    # pip install -e only when pyproject.toml changed or an extra is missing since the last
    # install; the stamp holds the extras installed and pyproject.toml's hash.
    $stamp = Join-Path $root '.venv\.clinic-desk-install-stamp'
    $hash = (Get-FileHash -Algorithm SHA256 (Join-Path $root 'pyproject.toml')).Hash.ToLower()
    $haveStamp = if (Test-Path $stamp) { "$(Get-Content -Raw $stamp)".Trim() } else { '' }
    $upToDate = $false
    if ($haveStamp -eq $hash -or $haveStamp.EndsWith(" $hash")) {
        $installed = $haveStamp.Substring(0, $haveStamp.Length - $hash.Length).Trim()
        $extras = Merge-Extras $installed $extras
        $upToDate = ($extras -eq $installed)
    }
    if (-not $upToDate) {
        Write-Host "pip install -e .$extras"
        if (Test-Path $stamp) { Remove-Item -Force $stamp }
        $env:PIP_DISABLE_PIP_VERSION_CHECK = '1'
        & $venvPython -m pip install -q -e "$root$extras" | Out-Host
        if ($LASTEXITCODE -ne 0) { throw 'pip install failed' }
        Set-Content -NoNewline -Path $stamp -Value "$extras $hash".Trim()
    }
    return $venvPython
}
