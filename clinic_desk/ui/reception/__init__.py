"""The reception workspace: find or register a patient, then check them in."""
