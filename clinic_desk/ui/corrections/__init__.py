"""The correction register: putting a wrong entry right, and the register of corrections."""
