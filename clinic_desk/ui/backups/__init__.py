"""Backups on screen: "Back up now" to a folder or USB stick, restoring a backup, and the
offer to restore one when the clinic's file is damaged at start."""
