// localDateIn (one Intl formatter for a report's many dates) says the same dates as localDate.
import { describe, expect, it } from 'vitest';
import { localDate, localDateIn } from '../../src/core/time.ts';
import { random } from '../support/random.ts';

const ZONES = ['Europe/Brussels', 'Asia/Tokyo', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC'];

describe('localDateIn', () => {
  it('says the date localDate says, around midnights and clock changes too, in every zone', () => {
    const r = random(7);
    const from = Date.UTC(1990, 0, 1);
    const span = Date.UTC(2050, 0, 1) - from;
    for (const zone of ZONES) {
      const dateOf = localDateIn(zone);
      for (let i = 0; i < 2_000; i++) {
        const ms = from + Math.floor(r.next() * span);
        // Every other instant on a quarter hour, or a millisecond before one: where local days turn.
        const instant = new Date(i % 2 ? ms : Math.floor(ms / 900_000) * 900_000 - (i % 4 === 0 ? 1 : 0));
        expect(dateOf(instant), `${zone} ${instant.toISOString()}`).toBe(localDate(instant, zone));
      }
    }
    // DST in Brussels: the last hour of 30 March 2025 (local) and the first of 31 March.
    expect(localDateIn('Europe/Brussels')(new Date('2025-03-30T21:59:59.999Z'))).toBe('2025-03-30');
    expect(localDateIn('Europe/Brussels')(new Date('2025-03-30T22:00:00.000Z'))).toBe('2025-03-31');
  });

  it('falls back to localDate for years of other widths and for what Intl refuses', () => {
    expect(localDateIn('Europe/Brussels')(new Date('0999-06-01T12:00:00Z'))).toBe(
      localDate(new Date('0999-06-01T12:00:00Z'), 'Europe/Brussels'),
    );
    expect(() => localDateIn('UTC')(new Date('not a date'))).toThrow(RangeError);
  });
});
