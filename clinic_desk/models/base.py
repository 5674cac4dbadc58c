"""Declarative base and the project-wide column types.

`Money` is always an integer count of minor units and `Timestamp` always an aware UTC
instant, whatever table they appear in (see `db.py` for the time rule).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

from sqlalchemy import BigInteger, Enum, MetaData
from sqlalchemy.orm import DeclarativeBase, mapped_column

from clinic_desk.db import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = Annotated[int, mapped_column(BigInteger)]
Timestamp = Annotated[datetime, mapped_column(UTCDateTime)]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        enum.Enum: Enum(enum.Enum, native_enum=False, length=32,
                        values_callable=lambda members: [m.value for m in members]),
    }
