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
                           QMouseEvent, QPainter, QPaintEvent, QPen, QResizeEvent)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QToolTip, QWidget

from clinic_desk.i18n import format_date, format_time, gettext as _, ngettext, weekday_name
from clinic_desk.models import UNIT_MINUTES, AppointmentStatus
from clinic_desk.services.calendar import (OPEN, CalendarBlock, DayView, WeekView,
                                           status_label)
from clinic_desk.ui.calendar.status import STATUS_LOOKS
from clinic_desk.ui.none_refcount import keep_none_alive

MINUTES_PER_DAY = 24 * 60
MIN_LANE_WIDTH = 96
#: How close (in pixels) to a block's lower edge a press resizes instead of moving.
EDGE_GRAB = 5
SHADE = QColor("#e4e4e4")
LINE = QColor("#ececec")
HOUR_LINE = QColor("#c8c8c8")
NOW_LINE = QColor("#e53935")


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


def block_text(block: CalendarBlock) -> tuple[str, str]:
    """The block's two lines: start and patient; visit kind, length and status."""
    first = f"{format_time(block.starts_at, tz=block.starts_at.tzinfo)} {block.patient_name}"
    units = ngettext("{count} unit", "{count} units", block.units).format(count=block.units)
    return first, f"{block.visit_kind} · {units} · {status_label(block.status)}"


class CalendarGrid(QAbstractScrollArea):
    """Lanes side by side under a fixed header, times in a fixed gutter on the left."""

    move_requested = Signal(object)  # Proposal
    slot_activated = Signal(object, object)  # Lane, starts_at
    block_menu_requested = Signal(object, QPoint)  # CalendarBlock, global position
    slot_menu_requested = Signal(object, object, QPoint)  # Lane, starts_at, global position
    selection_changed = Signal(object)  # CalendarBlock | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        keep_none_alive()  # thousands of painter calls per frame (see none_refcount)
        self.lanes: list[Lane] = []
        self.first_minute = 8 * 60
        self.last_minute = 18 * 60
        self.now: datetime | None = None
        self.selected_id: int | None = None
        self.pending: Proposal | None = None
        self._drag: _Drag | None = None
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
        blocks = {b.appointment_id: b for lane in lanes for b in lane.blocks}
        if self.selected_id not in blocks:
            self.selected_id = None
            self.selection_changed.emit(None)
        self._update_scrollbars()
        self.viewport().update()

    def selected_block(self) -> CalendarBlock | None:
        for lane in self.lanes:
            for block in lane.blocks:
                if block.appointment_id == self.selected_id:
                    return block
        return None

    def clear_pending(self) -> None:
        self.pending = None
        self.viewport().update()

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
        if not self.lanes:
            return MIN_LANE_WIDTH
        free = self.viewport().width() - self.gutter_width
        return max(MIN_LANE_WIDTH, free // len(self.lanes))

    def _update_scrollbars(self) -> None:
        body_h = self.viewport().height() - self.header_height
        body_w = self.viewport().width() - self.gutter_width
        self.verticalScrollBar().setRange(0, max(0, self.rows * self.row_height - body_h))
        self.verticalScrollBar().setPageStep(max(1, body_h))
        self.verticalScrollBar().setSingleStep(self.row_height)
        self.horizontalScrollBar().setRange(
            0, max(0, len(self.lanes) * self.lane_width() - body_w))
        self.horizontalScrollBar().setPageStep(max(1, body_w))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._update_scrollbars()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._measure()
            self._update_scrollbars()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        self.viewport().update()

    def lane_x(self, index: int) -> int:
        return self.gutter_width + index * self.lane_width() - self.horizontalScrollBar().value()

    def minute_y(self, minute: float) -> int:
        rows = (minute - self.first_minute) / UNIT_MINUTES
        return round(self.header_height + rows * self.row_height
                     - self.verticalScrollBar().value())

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
        lane = self.lanes[index]
        top = self.minute_y(lane.minute_of(starts_at))
        bottom = self.minute_y(lane.minute_of(starts_at) + units * UNIT_MINUTES)
        return QRect(self.lane_x(index) + 2, top + 1, self.lane_width() - 5, bottom - top - 2)

    def rect_of(self, appointment_id: int) -> QRect | None:
        """Where an appointment is drawn now (viewport coordinates)."""
        for index, lane in enumerate(self.lanes):
            for block in lane.blocks:
                if block.appointment_id == appointment_id:
                    return self.block_rect(index, block.starts_at, block.units)
        return None

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
        for index in visible:
            self._paint_lane(painter, index, body)
        self._paint_rows(painter, body)
        for index in visible:
            self._paint_blocks(painter, index, body)
        self._paint_proposal(painter)
        painter.restore()
        self._paint_header(painter, visible, area)
        self._paint_gutter(painter, area)

    def _paint_lane(self, painter: QPainter, index: int, body: QRect) -> None:
        lane = self.lanes[index]
        x, width = self.lane_x(index), self.lane_width()
        top, bottom = self.minute_y(self.first_minute), self.minute_y(self.last_minute)
        painter.fillRect(QRect(x, top, width, bottom - top), SHADE)
        for start, end in lane.working:
            y0, y1 = self.minute_y(lane.minute_of(start)), self.minute_y(lane.minute_of(end))
            painter.fillRect(QRect(x, y0, width, y1 - y0), self.palette().base())
        painter.setPen(HOUR_LINE)
        painter.drawLine(x + width - 1, body.top(), x + width - 1, body.bottom())
        if self.now is not None and lane.minute_of(self.now) // MINUTES_PER_DAY == 0:
            y = self.minute_y(lane.minute_of(self.now))
            painter.setPen(QPen(NOW_LINE, 2))
            painter.drawLine(x, y, x + width - 2, y)

    def _paint_rows(self, painter: QPainter, body: QRect) -> None:
        right = self.lane_x(len(self.lanes)) if self.lanes else body.right()
        for row in range(self.rows + 1):
            minute = self.first_minute + row * UNIT_MINUTES
            y = self.minute_y(minute)
            if y < body.top() - 1 or y > body.bottom() + 1:
                continue
            painter.setPen(HOUR_LINE if minute % 60 == 0 else LINE)
            painter.drawLine(body.left(), y, right, y)

    def _paint_blocks(self, painter: QPainter, index: int, body: QRect) -> None:
        lane = self.lanes[index]
        metrics = painter.fontMetrics()
        for block in lane.blocks:
            rect = self.block_rect(index, block.starts_at, block.units)
            if not rect.intersects(body):
                continue
            look = STATUS_LOOKS[block.status]
            painter.fillRect(rect, QColor(look.fill))
            painter.fillRect(QRect(rect.left(), rect.top(), 4, rect.height()), QColor(look.edge))
            selected = block.appointment_id == self.selected_id
            painter.setPen(QPen(QColor(look.edge), 2 if selected else 1))
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
            if self._drag is not None and self._drag.active \
                    and self._drag.block.appointment_id == block.appointment_id:
                continue
            first, second = block_text(block)
            text_rect = rect.adjusted(7, 1, -3, -1)
            painter.setPen(QColor("#1a1a1a"))
            line_height = metrics.height()
            if text_rect.height() < 2 * line_height:
                first = f"{first} · {block.visit_kind}"
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                             metrics.elidedText(first, Qt.TextElideMode.ElideRight,
                                                text_rect.width()))
            if text_rect.height() >= 2 * line_height:
                painter.setPen(QColor("#555555"))
                painter.drawText(text_rect.adjusted(0, line_height, 0, 0),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                                 metrics.elidedText(second, Qt.TextElideMode.ElideRight,
                                                    text_rect.width()))

    def _paint_proposal(self, painter: QPainter) -> None:
        proposal = self.pending or (self._drag.proposal if self._drag is not None else None)
        if proposal is None or proposal.lane not in self.lanes:
            return
        index = self.lanes.index(proposal.lane)
        rect = self.block_rect(index, proposal.starts_at, proposal.units)
        look = STATUS_LOOKS[proposal.block.status]
        fill = QColor(look.fill)
        fill.setAlpha(220)
        painter.fillRect(rect, fill)
        painter.setPen(QPen(QColor(look.edge), 2, Qt.PenStyle.DashLine))
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        painter.setPen(QColor("#1a1a1a"))
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
        if drag is None or not drag.active or drag.proposal is None:
            self.viewport().update()
            return
        proposal = drag.proposal
        block = drag.block
        if (proposal.lane.column_key, proposal.starts_at, proposal.units) == \
                (drag.lane.column_key, block.starts_at, block.units):
            self.viewport().update()
            return
        self.pending = proposal
        self.viewport().update()
        self.move_requested.emit(proposal)

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
                 block_text(block)[1]]
        if block.note:
            lines.append(_("Note: {note}").format(note=block.note))
        return "\n".join(lines)
