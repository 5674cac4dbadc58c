"""Refunds: the refund dialog the cash desk opens for a patient, the slip it prints, and the
refund register."""
