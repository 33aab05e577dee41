"""The window's dialogs and administration tabs."""
