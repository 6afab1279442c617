import ical, { ICalCalendarMethod } from 'ical-generator';

export interface CalendarEvent {
  /** Stable per event (run and occurrence), so a moved event updates the one already in the calendar. */
  uid: string;
  /** The occurrence's date version: higher each time the event moves. */
  sequence: number;
  method: 'REQUEST' | 'CANCEL';
  start: number;
  durationMinutes: number;
  summary: string;
  location: string | null;
  description: string;
  organizer: { name: string; email: string };
  attendee: { name: string; email: string };
  /** The written standard of the description (the email's text): nb or nn. */
  language?: 'nb' | 'nn';
}

/** An iCalendar (RFC 5545) document with one event, from ical-generator. */
export function calendarInvitation(event: CalendarEvent): string {
  const calendar = ical({
    prodId: { company: 'Årshjul', product: 'Kultur for læring', language: (event.language ?? 'nb').toUpperCase() },
    method: event.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    // No calendar time zone: without a VTIMEZONE definition ical-generator would write floating local times, so
    // instants go out in UTC (…Z), which every calendar shows in its user's zone.
  });
  calendar.createEvent({
    id: event.uid,
    sequence: event.sequence,
    start: new Date(event.start),
    end: new Date(event.start + event.durationMinutes * 60_000),
    summary: event.summary,
    ...(event.location ? { location: event.location } : {}),
    description: event.description,
    organizer: { name: event.organizer.name, email: event.organizer.email },
    attendees: [{ name: event.attendee.name, email: event.attendee.email, rsvp: true }],
    ...(event.method === 'CANCEL' ? { status: 'CANCELLED' as never } : {}),
  });
  return calendar.toString();
}

/** The event's UID: one per run and occurrence, whoever receives it. */
export function eventUid(runId: string, occurrenceKey: string): string {
  return `${runId}/${occurrenceKey}@arshjul`;
}
