"""The cash desk workspace: bills, discounts, payments and receipts."""
