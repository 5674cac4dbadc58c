"""The day close workspace: counting and closing the till, handover, re-opening, the
manager's exports and the live overview of the day."""
