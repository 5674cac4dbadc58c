"""Flagged conditions (allergy, pregnancy ...) as coloured badges, wherever a patient shows;
and the desk's own marks: VIP, and details still missing after a registration by phone."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from clinic_desk.i18n import gettext as _
from clinic_desk.services.patients import Flag
from clinic_desk.ui.reception.summary import details_missing_text
from clinic_desk.ui.table_model import ROW_ROLE

VIP_COLOUR = "#b8860b"
#: Slate, not a medical alert's red: the desk has something to ask, nothing to warn of.
DETAILS_MISSING_COLOUR = "#455a64"


def badge_items(flags: tuple[Flag, ...], vip: bool = False,
                details_missing: bool = False) -> list[tuple[str, str]]:
    """(text, colour) of each badge, conditions first."""
    items = [(f.name, f.colour) for f in flags]
    if vip:
        items.append((_("VIP"), VIP_COLOUR))
    if details_missing:
        items.append((details_missing_text(), DETAILS_MISSING_COLOUR))
    return items


def badge_html(flags: tuple[Flag, ...], vip: bool = False, details_missing: bool = False) -> str:
    """Badges for a rich-text label."""
    items = badge_items(flags, vip, details_missing)
    return " ".join(
        f'<span style="background-color:{colour}; color:white; font-weight:600;">'
        f"&nbsp;{escape(name)}&nbsp;</span>" for name, colour in items)


class FlagBadgeDelegate(QStyledItemDelegate):
    """Paints a row's `flags` (and VIP, and missing details) as badges; the row is read from
    ROW_ROLE."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        row = index.data(ROW_ROLE)
        items = badge_items(tuple(getattr(row, "flags", ())), getattr(row, "vip", False),
                            getattr(row, "details_missing", False))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = option.fontMetrics
        x = option.rect.x() + 4
        height = metrics.height() + 2
        y = option.rect.y() + (option.rect.height() - height) // 2
        for name, colour in items:
            width = metrics.horizontalAdvance(name) + 10
            room = option.rect.right() - x
            if width > room:  # a narrow column: the first badge that does not fit is cut
                if room < 2 * height:
                    break
                name = metrics.elidedText(name, Qt.TextElideMode.ElideRight, room - 10)
                width = room
            box = QRect(x, y, width, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(colour))
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(QColor("white"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, name)
            x += width + 4
        painter.restore()
