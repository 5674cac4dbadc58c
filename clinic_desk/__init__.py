"""clinic_desk: the front desk of a small dental or eye clinic."""

__version__ = "0.1.0"
