# Build the program and its Windows installer:
#   powershell -ExecutionPolicy Bypass -File scripts\build-bundle.ps1
#
# Creates or reuses .venv with the [build] extra (PyInstaller) and runs installer\clinic_desk.spec:
# the program is dist\clinic-desk\clinic-desk.exe with its _internal folder. Then, where Inno
# Setup 6 is installed (ISCC.exe on PATH or in its usual folder), compiles installer\clinic_desk.iss
# into dist\installer\clinic-desk-setup-<version>.exe. Throws when a step fails.
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
Push-Location $root
try {
    . (Join-Path $PSScriptRoot 'venv.ps1')
    $venvPython = Ensure-Venv $root '[build]'

    & $venvPython -m PyInstaller --noconfirm --log-level WARN --distpath dist `
        --workpath build\pyinstaller installer\clinic_desk.spec
    if ($LASTEXITCODE -ne 0) { throw 'PyInstaller failed' }
    $bytes = (Get-ChildItem -Recurse -File dist\clinic-desk | Measure-Object -Sum Length).Sum
    Write-Host ("build-bundle.ps1: dist\clinic-desk is {0:N0} MB" -f ($bytes / 1MB))

    $iscc = Get-Command ISCC.exe -ErrorAction SilentlyContinue | Select-Object -ExpandProperty Source
    if (-not $iscc) {
        $iscc = @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
                  "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe") |
            Where-Object { Test-Path $_ } | Select-Object -First 1
    }
    if (-not $iscc) {
        Write-Host 'build-bundle.ps1: Inno Setup 6 (ISCC.exe) not found; skipping the installer'
        exit 0
    }
    $chinese = Join-Path (Split-Path -Parent $iscc) 'Languages\ChineseSimplified.isl'
    if (-not (Test-Path $chinese)) {
        throw "$chinese is missing: install a newer Inno Setup 6, which ships it"
    }
    $version = & $venvPython -c 'import clinic_desk; print(clinic_desk.__version__)'
    & $iscc "/DAppVersion=$version" installer\clinic_desk.iss
    if ($LASTEXITCODE -ne 0) { throw 'ISCC failed' }
}
finally {
    Pop-Location
}
