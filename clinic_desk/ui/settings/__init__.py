"""The settings workspace: the clinic, staff, price list, visit kinds, payment methods."""
