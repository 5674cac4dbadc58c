"""What every use case is given: the clinic's database, the clock, and who is acting."""

from __future__ import annotations

from dataclasses import dataclass, field

from clinic_desk.clock import Clock, SystemClock
from clinic_desk.db import Database
from clinic_desk.models import Role


@dataclass(frozen=True)
class Actor:
    """The logged-in user on whose behalf a use case runs."""

    staff_id: int
    name: str
    roles: frozenset[Role]

    def has_role(self, role: Role) -> bool:
        return role in self.roles


@dataclass
class Desk:
    """One clinic's services: the database and the clock they share."""

    db: Database
    clock: Clock = field(default_factory=SystemClock)
