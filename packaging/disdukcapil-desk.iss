; Inno Setup 6 script: the installer of Disdukcapil Desk for the offices' Windows workstations.
; It packs the one-folder bundle dist\disdukcapil-desk built by `pyinstaller build.spec`.
; Build (Developer PowerShell, from the repository root):
;   & "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\disdukcapil-desk.iss
; Result: dist\disdukcapil-desk-0.1.0-setup.exe. See docs/install-windows.md.

#define AppName "Disdukcapil Desk"
#define AppExe "disdukcapil-desk.exe"
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
; Never change AppId: it is how an update finds the installed desk.
AppId={{16D54B30-D638-48B2-BB35-E4171DDF1E6B}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Dinas Kependudukan dan Pencatatan Sipil Kabupaten Serang
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
; Per-machine install into Program Files; every officer of the workstation uses it.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\dist
OutputBaseFilename=disdukcapil-desk-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; An update closes a running desk (Restart Manager) instead of failing on locked files.
CloseApplications=force
RestartApplications=no
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}

[Languages]
; Inno Setup ships no Indonesian messages file; put the unofficial Indonesian.isl
; (jrsoftware.org/files/istrans) into the compiler's Languages folder and use:
; Name: "id"; MessagesFile: "compiler:Languages\Indonesian.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "Buat ikon di desktop"; Flags: unchecked

[InstallDelete]
; The bundle's libraries change between versions: remove the old ones before copying.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\dist\disdukcapil-desk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "Jalankan {#AppName}"; Flags: nowait postinstall skipifsilent

; Per-user settings, the local SQLite database and logs live in
; %LOCALAPPDATA%\Disdukcapil Kabupaten Serang\disdukcapil-desk and are kept on uninstall.
