"""The calendar workspace: day and week views, booking, absences and the calls to make."""
