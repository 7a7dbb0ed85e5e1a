// Local days in the organisation's time zone: where deadlines end and rules start, across DST.
import { describe, expect, it } from 'vitest';
import { addLocalDays, endOfLocalDay, localDate, localDaysBetween, startOfLocalDay } from '../../src/core/time.ts';

const iso = (d: Date) => d.toISOString();
const hours = (date: string, tz: string) => (endOfLocalDay(date, tz).getTime() + 1 - startOfLocalDay(date, tz).getTime()) / 3_600_000;

describe('startOfLocalDay / endOfLocalDay', () => {
  it.each([
    // zone, date, start (UTC), end (UTC), hours in the day
    ['Europe/Brussels', '2023-03-15', '2023-03-14T23:00:00.000Z', '2023-03-15T22:59:59.999Z', 24], // CET, the EC deadline
    ['Europe/Brussels', '2023-03-25', '2023-03-24T23:00:00.000Z', '2023-03-25T22:59:59.999Z', 24],
    ['Europe/Brussels', '2023-03-26', '2023-03-25T23:00:00.000Z', '2023-03-26T21:59:59.999Z', 23], // 02:00 CET → 03:00 CEST
    ['Europe/Brussels', '2023-03-27', '2023-03-26T22:00:00.000Z', '2023-03-27T21:59:59.999Z', 24],
    ['Europe/Brussels', '2023-10-29', '2023-10-28T22:00:00.000Z', '2023-10-29T22:59:59.999Z', 25], // 03:00 CEST → 02:00 CET
    ['Asia/Tokyo', '2023-03-26', '2023-03-25T15:00:00.000Z', '2023-03-26T14:59:59.999Z', 24], // JST, no DST
    ['Asia/Tokyo', '2021-03-26', '2021-03-25T15:00:00.000Z', '2021-03-26T14:59:59.999Z', 24], // the LINE report date
    ['Asia/Tokyo', '2024-02-29', '2024-02-28T15:00:00.000Z', '2024-02-29T14:59:59.999Z', 24],
    ['America/New_York', '2023-03-11', '2023-03-11T05:00:00.000Z', '2023-03-12T04:59:59.999Z', 24],
    ['America/New_York', '2023-03-12', '2023-03-12T05:00:00.000Z', '2023-03-13T03:59:59.999Z', 23], // 02:00 EST → 03:00 EDT
    ['America/New_York', '2023-03-29', '2023-03-29T04:00:00.000Z', '2023-03-30T03:59:59.999Z', 24], // EDT, the M-23-13 deadline
    ['America/New_York', '2023-11-05', '2023-11-05T04:00:00.000Z', '2023-11-06T04:59:59.999Z', 25], // 02:00 EDT → 01:00 EST
    // Zones whose clocks change at midnight: the day starts at the first instant that is on it.
    ['America/Santiago', '2023-09-03', '2023-09-03T04:00:00.000Z', '2023-09-04T02:59:59.999Z', 23], // 00:00 → 01:00
    ['America/Havana', '2023-03-12', '2023-03-12T05:00:00.000Z', '2023-03-13T03:59:59.999Z', 23], // 00:00 → 01:00
  ])('%s %s runs from %s to %s', (tz, date, start, end, length) => {
    expect(iso(startOfLocalDay(date, tz))).toBe(start);
    expect(iso(endOfLocalDay(date, tz))).toBe(end);
    expect(hours(date, tz)).toBe(length);
  });

  it('leaves no gap and no overlap between consecutive days across a DST change', () => {
    for (const [tz, from] of [
      ['Europe/Brussels', '2023-03-24'],
      ['Europe/Brussels', '2023-10-27'],
      ['America/New_York', '2023-03-10'],
      ['America/New_York', '2023-11-03'],
      ['Asia/Tokyo', '2023-03-24'],
    ] as const) {
      for (let i = 0; i < 5; i++) {
        const day = addLocalDays(from, i);
        expect(startOfLocalDay(addLocalDays(day, 1), tz).getTime(), `${tz} ${day}`).toBe(endOfLocalDay(day, tz).getTime() + 1);
      }
    }
  });
});

describe('localDate', () => {
  it('reads the calendar date in the zone, not in UTC or the process zone', () => {
    expect(localDate(new Date('2023-03-25T23:30:00Z'), 'Europe/Brussels')).toBe('2023-03-26');
    expect(localDate(new Date('2023-03-26T21:59:59.999Z'), 'Europe/Brussels')).toBe('2023-03-26');
    expect(localDate(new Date('2023-03-26T22:00:00Z'), 'Europe/Brussels')).toBe('2023-03-27');
    expect(localDate(new Date('2023-03-25T14:59:59.999Z'), 'Asia/Tokyo')).toBe('2023-03-25');
    expect(localDate(new Date('2023-03-25T15:00:00Z'), 'Asia/Tokyo')).toBe('2023-03-26');
    expect(localDate(new Date('2023-03-13T03:59:59.999Z'), 'America/New_York')).toBe('2023-03-12');
    expect(localDate(new Date('2023-03-13T04:00:00Z'), 'America/New_York')).toBe('2023-03-13');
  });

  it('round-trips with startOfLocalDay and endOfLocalDay', () => {
    for (const tz of ['Europe/Brussels', 'Asia/Tokyo', 'America/New_York']) {
      for (const date of ['2023-03-12', '2023-03-26', '2023-10-29', '2023-11-05', '2023-12-31']) {
        expect(localDate(startOfLocalDay(date, tz), tz), `${tz} ${date}`).toBe(date);
        expect(localDate(endOfLocalDay(date, tz), tz), `${tz} ${date}`).toBe(date);
      }
    }
  });
});

describe('addLocalDays / localDaysBetween', () => {
  it('counts calendar days, whatever the DST change in between', () => {
    expect(addLocalDays('2023-03-25', 1)).toBe('2023-03-26');
    expect(addLocalDays('2023-03-25', 2)).toBe('2023-03-27');
    expect(addLocalDays('2023-10-28', 2)).toBe('2023-10-30');
    expect(addLocalDays('2023-02-27', 30)).toBe('2023-03-29'); // M-23-13: 30 days
    expect(addLocalDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addLocalDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(localDaysBetween('2023-03-11', '2023-03-13')).toBe(2);
    expect(localDaysBetween('2023-03-26', '2023-03-25')).toBe(-1);
    expect(localDaysBetween('2023-02-23', '2023-03-15')).toBe(20);
  });
});
