"""The front desk's use cases: plain Python, no Qt, no ReportLab."""
