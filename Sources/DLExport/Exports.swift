/// CRC32 and FileIO are part of what DLExport users work with (checksums in tests, atomic writes).
@_exported import DLSupport
