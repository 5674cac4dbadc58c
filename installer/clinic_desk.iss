; Windows installer for clinic_desk (Inno Setup 6), compiled by scripts\build-bundle.ps1:
;   ISCC /DAppVersion=0.1.0 installer\clinic_desk.iss
; It installs the one-folder program built into dist\clinic-desk, adds a Start menu folder and a
; desktop shortcut, and speaks Simplified Chinese or English (chosen from Windows' language).
; Uninstalling removes the program only: each Windows user's clinic database, its backups and
; the logs stay in that user's data folder (%LOCALAPPDATA%\clinic_desk).
; Saved as UTF-8 with a byte order mark, which Inno Setup needs for the Chinese texts.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "clinic_desk"
#define AppExe "clinic-desk.exe"

[Setup]
AppId={{7F3C2A9E-4B1D-4E8A-9C55-2D6B1E0F8A31}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; for all users by default; a user without administrator rights may install for themselves
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\dist\installer
OutputBaseFilename=clinic-desk-setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=auto
CloseApplications=yes
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}

[Languages]
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
chinesesimplified.DataKept=已卸载程序。诊所的数据库、备份和日志仍保留在 %1（每个 Windows 用户各自的文件夹），没有删除。
english.DataKept=The program was removed. The clinic's database, its backups and the logs are kept in %1 (each Windows user's own folder); nothing was deleted.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\dist\clinic-desk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// The uninstaller deletes only what it installed; this says so, and where the data stays.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox(FmtMessage(CustomMessage('DataKept'), [ExpandConstant('{localappdata}\clinic_desk')]),
      mbInformation, MB_OK);
end;
