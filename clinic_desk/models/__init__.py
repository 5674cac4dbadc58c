"""All tables of the clinic, imported here so the metadata (and Alembic) sees every one."""

from clinic_desk.models.appointments import (UNIT_MINUTES, Appointment, AppointmentChange,
                                             AppointmentChangeKind, AppointmentStatus)
from clinic_desk.models.audit import AuditEntry, AuditHead
from clinic_desk.models.base import Base
from clinic_desk.models.catalog import (CashStation, ConditionKind, Counter, PaymentKind,
                                        PaymentMethod, PriceCategory, PriceListItem, ReferralSource,
                                        RefundReason, Room, Setting, Station, VisitKind)
from clinic_desk.models.closing import (CashCountLine, DayClosing, DayClosingMethodTotal,
                                        DayHandover, DayReopening)
from clinic_desk.models.followups import (CallOutcome, FollowUp, FollowUpCall, FollowUpKind,
                                          FollowUpStatus)
from clinic_desk.models.ledger import (Charge, Correction, Discount, DocumentPrint, Payment,
                                       Receipt, Refund)
from clinic_desk.models.patients import Patient, PatientCondition, PatientSearchTerm
from clinic_desk.models.staff import Absence, Role, Sex, Staff, StaffRole, WorkingHours
from clinic_desk.models.visits import (AssignmentRule, Notification, NotificationKind, QueueEntry,
                                       QueueState, Visit, VisitState)

__all__ = [
    "Absence", "Appointment", "AppointmentChange", "AppointmentChangeKind", "AppointmentStatus",
    "AssignmentRule", "AuditEntry", "AuditHead", "Base", "CallOutcome", "CashCountLine",
    "CashStation", "Charge", "ConditionKind", "Correction", "Counter", "DayClosing",
    "DayClosingMethodTotal", "DayHandover", "DayReopening", "Discount", "DocumentPrint", "FollowUp",
    "FollowUpCall", "FollowUpKind", "FollowUpStatus", "Notification", "NotificationKind", "Patient",
    "PatientCondition", "PatientSearchTerm", "Payment", "PaymentKind", "PaymentMethod",
    "PriceCategory", "PriceListItem", "QueueEntry", "QueueState", "Receipt", "ReferralSource",
    "Refund", "RefundReason", "Role", "Room", "Setting", "Sex", "Staff", "StaffRole", "Station",
    "UNIT_MINUTES", "Visit", "VisitKind", "VisitState", "WorkingHours",
]
