"""The waiting queue workspace and the waiting-room display."""
