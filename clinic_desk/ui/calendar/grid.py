"""The calendar grid: lanes (a doctor or a chair on one day) of 15-minute rows, appointments
as blocks in their status colour, everything outside a lane's working spans shaded.

Painted by hand so that a day of 12 doctors and 300 appointments scrolls smoothly: painting
reads only the snapshot it was given, never the database, and skips what is out of sight.
Dragging a block proposes a move, dragging its lower edge a new length; the view asks for
the reason, calls the service and reloads, so a refused move simply snaps back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (QColor, QContextMenuEvent, QFont, QFontMetrics, QHelpEvent,
                           QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap, QResizeEvent)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QToolTip, QWidget

from clinic_desk.i18n import (current_language, format_date, format_time, gettext as _, ngettext,
                              weekday_name)
from clinic_desk.models import UNIT_MINUTES, AppointmentStatus
from clinic_desk.services.calendar import (OPEN, CalendarBlock, DayView, WeekView,
                                           status_label)
from clinic_desk.ui.calendar.status import STATUS_LOOKS

MINUTES_PER_DAY = 24 * 60
MIN_LANE_WIDTH = 96
#: How close (in pixels) to a block's lower edge a press resizes instead of moving.
EDGE_GRAB = 5
SHADE = QColor("#e4e4e4")
LINE = QColor("#ececec")
HOUR_LINE = QColor("#c8c8c8")
NOW_LINE = QColor("#e53935")
TEXT = QColor("#1a1a1a")
SECOND_TEXT = QColor("#555555")
#: Over a block's old place while it is dragged.
LIFTED = QColor(255, 255, 255, 170)


@dataclass(frozen=True)
class Lane:
    """One column of the grid: a doctor (or chair) on one day, with its blocks."""

    title: str
    day: date
    column_key: int
    opens: datetime
    closes: datetime
    working: tuple[tuple[datetime, datetime], ...]
    blocks: tuple[CalendarBlock, ...]

    def minute_of(self, moment: datetime) -> int:
        """Minutes from this lane's midnight (local) to `moment`."""
        local = moment.astimezone(self.opens.tzinfo)
        return (local.date() - self.day).days * MINUTES_PER_DAY + local.hour * 60 + local.minute

    def at(self, minute: int) -> datetime:
        midnight = datetime.combine(self.day, time(), tzinfo=self.opens.tzinfo)
        return midnight + timedelta(minutes=minute)


@dataclass(frozen=True)
class Proposal:
    """Where a dragged block would go."""

    block: CalendarBlock
    lane: Lane
    starts_at: datetime
    units: int

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.units * UNIT_MINUTES)


@dataclass
class _Drag:
    block: CalendarBlock
    lane: Lane
    resize: bool
    press: QPoint
    active: bool = False
    proposal: Proposal | None = None


def _drawn_order(blocks: Sequence[CalendarBlock]) -> tuple[CalendarBlock, ...]:
    """No-shows first: their slot is free again, so a new booking is drawn (and hit) on top."""
    return tuple(sorted(blocks, key=lambda b: (b.status != AppointmentStatus.NO_SHOW,
                                               b.starts_at)))


def day_lanes(view: DayView) -> list[Lane]:
    """A lane per doctor (or chair) of the day."""
    by_column: dict[int, list[CalendarBlock]] = defaultdict(list)
    for block in view.blocks:
        by_column[block.column_key].append(block)
    return [Lane(column.title, view.day, column.key, view.opens, view.closes, column.working,
                 _drawn_order(by_column[column.key])) for column in view.columns]


def week_lanes(week: WeekView) -> list[Lane]:
    """A lane per day of one doctor's week."""
    lanes = []
    for day in week.days:
        working = next((c.working for c in day.columns if c.key == week.doctor_id), ())
        title = f"{weekday_name(day.day.weekday(), 'abbreviated')} {format_date(day.day, 'short')}"
        lanes.append(Lane(title, day.day, week.doctor_id, day.opens, day.closes, working,
                          _drawn_order(day.blocks)))
    return lanes


def span_text(start: datetime, end: datetime) -> str:
    """09:00–09:45, in the times' own (the clinic's) zone."""
    return f"{format_time(start, tz=start.tzinfo)}–{format_time(end, tz=end.tzinfo)}"


def block_details(block: CalendarBlock) -> str:
    """A block's second line: visit kind, length and status."""
    units = ngettext("{count} unit", "{count} units", block.units).format(count=block.units)
    return f"{block.visit_kind} · {units} · {status_label(block.status)}"


class CalendarGrid(QAbstractScrollArea):
    """Lanes side by side under a fixed header, times in a fixed gutter on the left."""

    move_requested = Signal(object)  # Proposal
    slot_activated = Signal(object, object)  # Lane, starts_at
    block_menu_requested = Signal(object, QPoint)  # CalendarBlock, global position
    slot_menu_requested = Signal(object, object, QPoint)  # Lane, starts_at, global position
    selection_changed = Signal(object)  # CalendarBlock | None
    settled = Signal()  # the mouse let go: no block is being dragged any more

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lanes: list[Lane] = []
        self.first_minute = 8 * 60
        self.last_minute = 18 * 60
        self.now: datetime | None = None
        self.selected_id: int | None = None
        self.pending: Proposal | None = None
        self._drag: _Drag | None = None
        #: Each lane with its rows and blocks, drawn once while it stays the same (a refresh
        #: redraws only the lanes that changed); scrolling and dragging only copy them and
        #: draw the little that moves on top.
        self._pictures: dict[Lane, QPixmap] = {}
        self._picture_geometry: tuple[object, ...] = ()
        self._time_texts: dict[datetime, str] = {}
        self._lane_width = MIN_LANE_WIDTH
        self.viewport().setMouseTracking(True)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._measure()

    # --- data ------------------------------------------------------------------------------

    def set_lanes(self, lanes: Sequence[Lane], now: datetime | None) -> None:
        """Show a new snapshot; any move awaiting its answer is forgotten (the snapshot
        shows where the block really is)."""
        self.lanes = list(lanes)
        self.now = now
        self.pending = None
        self._drag = None
        spans = [(lane.minute_of(lane.opens), lane.minute_of(lane.closes)) for lane in lanes
                 if lane.closes > lane.opens]
        if spans:
            self.first_minute = min(s for s, _e in spans) // 60 * 60
            self.last_minute = -(-max(e for _s, e in spans) // 60) * 60
        if self.selected_id is not None and self._find(self.selected_id) is None:
            self.selected_id = None
            self.selection_changed.emit(None)
        self._update_scrollbars()
        self._redraw()

    def selected_block(self) -> CalendarBlock | None:
        found = self._find(self.selected_id)
        return found[1] if found else None

    def clear_pending(self) -> None:
        self.pending = None
        self.viewport().update()

    def busy(self) -> bool:
        """A block is being dragged or awaits the answer to its move: a new snapshot now
        would pull it from under the mouse."""
        return self.pending is not None or self._drag is not None

    # --- geometry --------------------------------------------------------------------------

    def _measure(self) -> None:
        metrics = QFontMetrics(self.font())
        self.row_height = max(20, metrics.height() + 6)
        self.header_height = metrics.height() + 12
        self.gutter_width = metrics.horizontalAdvance("00:00") + 16

    @property
    def rows(self) -> int:
        return max(1, (self.last_minute - self.first_minute) // UNIT_MINUTES)

    def lane_width(self) -> int:
        return self._lane_width

    def _update_scrollbars(self) -> None:
        """Lane width and scroll ranges, after new lanes, a resize or a new font."""
        free = self.viewport().width() - self.gutter_width
        self._lane_width = max(MIN_LANE_WIDTH, free // len(self.lanes)) if self.lanes \
            else MIN_LANE_WIDTH
        body_h = self.viewport().height() - self.header_height
        body_w = self.viewport().width() - self.gutter_width
        self.verticalScrollBar().setRange(0, max(0, self.rows * self.row_height - body_h))
        self.verticalScrollBar().setPageStep(max(1, body_h))
        self.verticalScrollBar().setSingleStep(self.row_height)
        self.horizontalScrollBar().setRange(
            0, max(0, len(self.lanes) * self.lane_width() - body_w))
        self.horizontalScrollBar().setPageStep(max(1, body_w))

    def _redraw(self) -> None:
        geometry = (self.lane_width(), self.row_height, self.first_minute, self.last_minute,
                    self.devicePixelRatioF(), self.font().key(), current_language())
        if geometry != self._picture_geometry:
            self._pictures.clear()
            self._time_texts.clear()
            self._picture_geometry = geometry
        kept = set(self.lanes)
        for lane in [lane for lane in self._pictures if lane not in kept]:
            del self._pictures[lane]
        self.viewport().update()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._update_scrollbars()
        self._redraw()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._measure()
            self._update_scrollbars()
            self._redraw()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        self.viewport().update()

    # Content coordinates: (0, 0) is the top left of the first lane's first row. The viewport
    # shows them shifted by the header, the gutter and the scroll bars.

    def _offset(self) -> QPoint:
        return QPoint(self.gutter_width - self.horizontalScrollBar().value(),
                      self.header_height - self.verticalScrollBar().value())

    def _content_y(self, minute: float) -> int:
        return round((minute - self.first_minute) / UNIT_MINUTES * self.row_height)

    def _content_rect(self, index: int, starts_at: datetime, units: int,
                      lane: Lane | None = None) -> QRect:
        minute = (lane or self.lanes[index]).minute_of(starts_at)
        top = self._content_y(minute)
        bottom = self._content_y(minute + units * UNIT_MINUTES)
        return QRect(index * self.lane_width() + 2, top + 1, self.lane_width() - 5,
                     bottom - top - 2)

    def lane_x(self, index: int) -> int:
        return index * self.lane_width() + self._offset().x()

    def minute_y(self, minute: float) -> int:
        return self._content_y(minute) + self._offset().y()

    def lane_at(self, x: int) -> int | None:
        if x < self.gutter_width or not self.lanes:
            return None
        index = (x - self.gutter_width + self.horizontalScrollBar().value()) // self.lane_width()
        return index if 0 <= index < len(self.lanes) else None

    def minute_at(self, y: int) -> int:
        """The start of the 15-minute row under `y`."""
        rows = (y - self.header_height + self.verticalScrollBar().value()) // self.row_height
        return self.first_minute + int(rows) * UNIT_MINUTES

    def block_rect(self, index: int, starts_at: datetime, units: int) -> QRect:
        return self._content_rect(index, starts_at, units).translated(self._offset())

    def _find(self, appointment_id: int | None) -> tuple[int, CalendarBlock] | None:
        for index, lane in enumerate(self.lanes):
            for block in lane.blocks:
                if block.appointment_id == appointment_id:
                    return index, block
        return None

    def rect_of(self, appointment_id: int) -> QRect | None:
        """Where an appointment is drawn now (viewport coordinates)."""
        found = self._find(appointment_id)
        return self.block_rect(found[0], found[1].starts_at, found[1].units) if found else None

    def point_of(self, index: int, starts_at: datetime) -> QPoint:
        """A point inside the row that starts at `starts_at` in lane `index`."""
        lane = self.lanes[index]
        return QPoint(self.lane_x(index) + self.lane_width() // 2,
                      self.minute_y(lane.minute_of(starts_at)) + self.row_height // 2)

    def scroll_to(self, moment: datetime) -> None:
        """Bring the row of `moment` (e.g. now, or the first booking) near the top."""
        if not self.lanes:
            return
        minute = self.lanes[0].minute_of(moment)
        rows = (minute - self.first_minute) // UNIT_MINUTES - 2
        self.verticalScrollBar().setValue(max(0, rows * self.row_height))

    def hit(self, pos: QPoint) -> tuple[int, CalendarBlock, bool] | None:
        """(lane index, block, on its lower edge) under `pos`, topmost first."""
        index = self.lane_at(pos.x())
        if index is None or pos.y() < self.header_height:
            return None
        for block in reversed(self.lanes[index].blocks):
            rect = self.block_rect(index, block.starts_at, block.units)
            if rect.contains(pos):
                return index, block, rect.bottom() - pos.y() <= EDGE_GRAB
        return None

    def slot_at(self, pos: QPoint) -> tuple[Lane, datetime] | None:
        index = self.lane_at(pos.x())
        if index is None or pos.y() < self.header_height:
            return None
        minute = self.minute_at(pos.y())
        if minute >= self.last_minute:
            return None
        return self.lanes[index], self.lanes[index].at(minute)

    # --- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self.viewport())
        area = self.viewport().rect()
        painter.fillRect(area, self.palette().base())
        body = QRect(self.gutter_width, self.header_height, area.width() - self.gutter_width,
                     area.height() - self.header_height)
        visible = [i for i in range(len(self.lanes))
                   if self.lane_x(i) + self.lane_width() > body.left()
                   and self.lane_x(i) < body.right()]
        painter.save()
        painter.setClipRect(body)
        painter.translate(self._offset())
        for index in visible:
            painter.drawPixmap(index * self.lane_width(), 0, self._picture_of(index))
        self._paint_overlay(painter)
        painter.restore()
        self._paint_header(painter, visible, area)
        self._paint_gutter(painter, area)

    def _picture_of(self, index: int) -> QPixmap:
        lane = self.lanes[index]
        picture = self._pictures.get(lane)
        if picture is None:
            picture = self._pictures[lane] = self._draw_lane(lane)
        return picture

    def _draw_lane(self, lane: Lane) -> QPixmap:
        """One lane with its shading, rows and blocks, its left edge at x = 0."""
        ratio = self.devicePixelRatioF()
        width = self.lane_width()
        height = self.rows * self.row_height + 1
        picture = QPixmap(round(width * ratio), round(height * ratio))
        picture.setDevicePixelRatio(ratio)
        picture.fill(SHADE)
        painter = QPainter(picture)
        painter.setFont(self.font())
        for start, end in lane.working:
            y0, y1 = self._content_y(lane.minute_of(start)), self._content_y(lane.minute_of(end))
            painter.fillRect(QRect(0, y0, width, y1 - y0), self.palette().base())
        for row in range(self.rows + 1):
            minute = self.first_minute + row * UNIT_MINUTES
            y = self._content_y(minute)
            painter.setPen(HOUR_LINE if minute % 60 == 0 else LINE)
            painter.drawLine(0, y, width, y)
        painter.setPen(HOUR_LINE)
        painter.drawLine(width - 1, 0, width - 1, height)
        self._paint_blocks(painter, lane)
        painter.end()
        return picture

    def _paint_blocks(self, painter: QPainter, lane: Lane) -> None:
        metrics = painter.fontMetrics()
        line_height = metrics.height()
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        for block in lane.blocks:
            rect = self._content_rect(0, block.starts_at, block.units, lane)
            look = STATUS_LOOKS[block.status]
            painter.fillRect(rect, QColor(look.fill))
            painter.fillRect(QRect(rect.left(), rect.top(), 4, rect.height()), QColor(look.edge))
            painter.setPen(QColor(look.edge))
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
            start = self._time_texts.get(block.starts_at)
            if start is None:
                start = self._time_texts[block.starts_at] = format_time(
                    block.starts_at, tz=block.starts_at.tzinfo)
            first = f"{start} {block.patient_name}"
            text_rect = rect.adjusted(7, 1, -3, -1)
            two_lines = text_rect.height() >= 2 * line_height
            painter.setPen(TEXT)
            painter.drawText(text_rect, flags, metrics.elidedText(
                first if two_lines else f"{first} · {block.visit_kind}",
                Qt.TextElideMode.ElideRight, text_rect.width()))
            if two_lines:
                painter.setPen(SECOND_TEXT)
                painter.drawText(text_rect.adjusted(0, line_height, 0, 0), flags,
                                 metrics.elidedText(block_details(block),
                                                    Qt.TextElideMode.ElideRight,
                                                    text_rect.width()))

    def _paint_overlay(self, painter: QPainter) -> None:
        """What changes without a new snapshot: the time now, the selection, a drag."""
        if self.now is not None:
            painter.setPen(QPen(NOW_LINE, 2))
            for index, lane in enumerate(self.lanes):
                minute = lane.minute_of(self.now)
                if 0 <= minute < MINUTES_PER_DAY:
                    y = self._content_y(minute)
                    x = index * self.lane_width()
                    painter.drawLine(x, y, x + self.lane_width() - 2, y)
        selected = self._find(self.selected_id)
        if selected is not None:
            index, block = selected
            painter.setPen(QPen(QColor(STATUS_LOOKS[block.status].edge), 2))
            painter.drawRect(self._content_rect(index, block.starts_at, block.units)
                             .adjusted(0, 0, -1, -1))
        proposal = self.pending or (self._drag.proposal if self._drag is not None else None)
        origin = self._find(proposal.block.appointment_id) if proposal is not None else None
        if proposal is None or origin is None or proposal.lane not in self.lanes:
            return
        painter.fillRect(self._content_rect(origin[0], proposal.block.starts_at,
                                            proposal.block.units), LIFTED)
        rect = self._content_rect(self.lanes.index(proposal.lane), proposal.starts_at,
                                  proposal.units)
        look = STATUS_LOOKS[proposal.block.status]
        painter.fillRect(rect, QColor(look.fill))
        painter.setPen(QPen(QColor(look.edge), 2, Qt.PenStyle.DashLine))
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        painter.setPen(TEXT)
        painter.drawText(rect.adjusted(7, 1, -3, -1),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         f"{span_text(proposal.starts_at, proposal.ends_at)} "
                         f"{proposal.block.patient_name}")

    def _paint_header(self, painter: QPainter, visible: list[int], area: QRect) -> None:
        header = QRect(0, 0, area.width(), self.header_height)
        painter.fillRect(header, self.palette().window())
        painter.save()
        painter.setClipRect(header.adjusted(self.gutter_width, 0, 0, 0))
        bold = QFont(painter.font())
        bold.setBold(True)
        painter.setFont(bold)
        for index in visible:
            lane = self.lanes[index]
            rect = QRect(self.lane_x(index), 0, self.lane_width(), self.header_height)
            painter.setPen(self.palette().windowText().color())
            painter.drawText(rect.adjusted(4, 0, -4, 0), Qt.AlignmentFlag.AlignCenter,
                             painter.fontMetrics().elidedText(
                                 lane.title, Qt.TextElideMode.ElideRight, rect.width() - 8))
            painter.setPen(HOUR_LINE)
            painter.drawLine(rect.right(), 0, rect.right(), rect.bottom())
        painter.restore()
        painter.setPen(HOUR_LINE)
        painter.drawLine(0, header.bottom(), area.width(), header.bottom())

    def _paint_gutter(self, painter: QPainter, area: QRect) -> None:
        gutter = QRect(0, self.header_height, self.gutter_width, area.height())
        painter.fillRect(gutter, self.palette().window())
        painter.save()
        painter.setClipRect(gutter)
        painter.setPen(self.palette().windowText().color())
        for minute in range(self.first_minute, self.last_minute, 60):
            y = self.minute_y(minute)
            painter.drawText(QRect(0, y + 1, self.gutter_width - 6, self.row_height),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                             f"{minute // 60:02d}:{minute % 60:02d}")
        painter.restore()
        painter.setPen(HOUR_LINE)
        painter.drawLine(self.gutter_width - 1, 0, self.gutter_width - 1, area.height())

    # --- mouse and keyboard ----------------------------------------------------------------

    def _select(self, block: CalendarBlock | None) -> None:
        new_id = block.appointment_id if block is not None else None
        if new_id != self.selected_id:
            self.selected_id = new_id
            self.selection_changed.emit(block)
        self.viewport().update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.setFocus()
        pos = event.position().toPoint()
        found = self.hit(pos)
        self._select(found[1] if found else None)
        if event.button() == Qt.MouseButton.LeftButton and found is not None \
                and found[1].status in OPEN and self.pending is None:
            index, block, on_edge = found
            self._drag = _Drag(block, self.lanes[index], on_edge, pos)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position().toPoint()
        drag = self._drag
        if drag is None:
            found = self.hit(pos)
            cursor = (Qt.CursorShape.ArrowCursor if found is None or found[1].status
                      not in OPEN else Qt.CursorShape.SizeVerCursor if found[2]
                      else Qt.CursorShape.OpenHandCursor)
            self.viewport().setCursor(cursor)
            return
        if not drag.active:
            if (pos - drag.press).manhattanLength() < QApplication.startDragDistance():
                return
            drag.active = True
        self._autoscroll(pos)
        drag.proposal = self._propose(drag, pos)
        self.viewport().update()

    def _autoscroll(self, pos: QPoint) -> None:
        bar = self.verticalScrollBar()
        if pos.y() > self.viewport().height() - self.row_height:
            bar.setValue(bar.value() + self.row_height // 2)
        elif self.header_height <= pos.y() < self.header_height + self.row_height:
            bar.setValue(bar.value() - self.row_height // 2)

    def _propose(self, drag: _Drag, pos: QPoint) -> Proposal:
        rows = round((pos.y() - drag.press.y()) / self.row_height)
        block = drag.block
        if drag.resize:
            return Proposal(block, drag.lane, block.starts_at, max(1, block.units + rows))
        index = self.lane_at(pos.x())
        lane = self.lanes[index] if index is not None else drag.lane
        minute = drag.lane.minute_of(block.starts_at) + rows * UNIT_MINUTES
        minute = max(self.first_minute, min(self.last_minute - UNIT_MINUTES, minute))
        return Proposal(block, lane, lane.at(minute), block.units)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        drag, self._drag = self._drag, None
        self.viewport().update()
        proposal = drag.proposal if drag is not None and drag.active else None
        if proposal is not None and drag is not None and \
                (proposal.lane.column_key, proposal.starts_at, proposal.units) != \
                (drag.lane.column_key, drag.block.starts_at, drag.block.units):
            self.pending = proposal
            self.move_requested.emit(proposal)
        self.settled.emit()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position().toPoint()
        if event.button() != Qt.MouseButton.LeftButton or self.hit(pos) is not None:
            return
        slot = self.slot_at(pos)
        if slot is not None:
            self.slot_activated.emit(*slot)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            block = self.selected_block()
            rect = self.rect_of(block.appointment_id) if block is not None else None
            if block is not None and rect is not None:
                self.block_menu_requested.emit(block, self.viewport().mapToGlobal(rect.center()))
            return
        found = self.hit(event.pos())
        if found is not None:
            self._select(found[1])
            self.block_menu_requested.emit(found[1], event.globalPos())
            return
        slot = self.slot_at(event.pos())
        if slot is not None:
            self.slot_menu_requested.emit(slot[0], slot[1], event.globalPos())

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            found = self.hit(event.pos())
            if found is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.tooltip(found[1]), self.viewport())
            return True
        return super().viewportEvent(event)

    def tooltip(self, block: CalendarBlock) -> str:
        lines = [span_text(block.starts_at, block.ends_at),
                 f"{block.patient_name} · {block.record_number} · {block.phone}",
                 block_details(block)]
        if block.note:
            lines.append(_("Note: {note}").format(note=block.note))
        return "\n".join(lines)
