import { describe, expect, it } from 'vitest';
import {
  applySnapshots,
  directoryPerson,
  personFacts,
  withDirectory,
  type DirectoryRecord,
  type SourceSnapshot,
} from '../../src/core/directory.ts';
import { resolvePerson, resolvePlatformUser } from '../../src/core/org.ts';
import type { Policy } from '../../src/core/policy.ts';
import { loadPack } from '../support/bot.ts';

const T1 = '2026-12-01T06:00:00.000Z';
const T2 = '2026-12-02T06:00:00.000Z';

/** The demo pack with a directory mapping: Communications by department, IT by group, approvers by group. */
function mapped(): Policy {
  const policy = loadPack('demo.yaml');
  return {
    ...policy,
    directory: {
      every_minutes: 60,
      slack: true,
      entra: {
        units_by_department: { Communications: 'demo/comms', 'IT Security': 'demo/it' },
        units_by_group: { 'grp-it': 'demo/it' },
        roles_by_group: { 'grp-approvers': ['approver'] },
      },
    },
  };
}

const entra = (people: SourceSnapshot['people'], extra: Partial<SourceSnapshot> = {}): SourceSnapshot => ({
  source: 'entra',
  complete: true,
  people,
  removed: [],
  ...extra,
});

describe('the directory: one person per human across sources', () => {
  it('joins an Entra user and a Slack member by email, whatever its case', () => {
    const sync = applySnapshots(
      [],
      [
        entra([{ key: 'e-1', email: 'Jane.Doe@agency.gov', name: 'Jane Doe', department: 'Communications', locale: 'ja-JP' }]),
        { source: 'slack', complete: true, people: [{ key: 'U0JANE', email: 'jane.doe@agency.gov', name: 'jane' }], removed: [] },
      ],
      T1,
    );
    expect(sync).toMatchObject({ added: ['jane.doe@agency.gov'], total: 1, perSource: { entra: 1, slack: 1 } });
    const person = directoryPerson(sync.records[0]!, mapped());
    expect(person.entry).toEqual({
      id: 'jane.doe@agency.gov',
      name: 'Jane Doe',
      unit: 'demo/comms',
      roles: [],
      locale: 'ja',
      email: 'jane.doe@agency.gov',
      slack: 'U0JANE',
      teams: 'e-1',
    });
    expect(person.from).toMatchObject({
      unit: 'entra department "Communications"',
      name: 'entra',
      slack: 'slack',
      teams: 'entra object id',
    });
  });

  it('maps groups to units (a group wins over the department) and to roles; anyone unmapped is in the default unit', () => {
    const sync = applySnapshots(
      [],
      [
        entra(
          [
            { key: 'e-1', email: 'a@agency.gov', department: 'Communications' },
            { key: 'e-2', email: 'b@agency.gov', department: 'Finance' },
          ],
          { groups: { 'grp-it': ['e-1'], 'grp-approvers': ['e-1', 'e-9'] } },
        ),
      ],
      T1,
    );
    const [a, b] = sync.records.map((r) => directoryPerson(r, mapped()));
    expect(a!.entry).toMatchObject({ unit: 'demo/it', roles: ['approver'] });
    expect(a!.from.unit).toBe('entra group grp-it');
    expect(b!.entry).toMatchObject({ unit: 'demo', roles: [] });
    expect(b!.from.unit).toBe('organization.default_unit');
  });

  it('a delta with one changed department and one leaver: only those change, the rest stay as they were', () => {
    const first = applySnapshots(
      [],
      [
        entra([
          { key: 'e-1', email: 'a@agency.gov', name: 'A', department: 'Communications' },
          { key: 'e-2', email: 'b@agency.gov', name: 'B', department: 'Communications' },
          { key: 'e-3', email: 'c@agency.gov', name: 'C', department: 'Communications' },
        ]),
      ],
      T1,
    );
    // Graph's delta carries only what changed about a user.
    const delta = applySnapshots(
      first.records,
      [entra([{ key: 'e-1', department: 'IT Security' }], { complete: false, removed: ['e-2'] })],
      T2,
    );
    expect(delta).toMatchObject({ added: [], changed: ['a@agency.gov'], left: ['b@agency.gov'], total: 2 });
    const a = delta.records.find((r) => r.id === 'a@agency.gov')!;
    expect(a.sources.entra).toEqual({ key: 'e-1', email: 'a@agency.gov', name: 'A', department: 'IT Security' });
    expect(directoryPerson(a, mapped()).entry.unit).toBe('demo/it');
    expect(delta.records.find((r) => r.id === 'b@agency.gov')).toMatchObject({ leftAt: T2 });
    expect(delta.records.map((r) => r.id).sort()).toEqual(['a@agency.gov', 'b@agency.gov']); // c unchanged: not rewritten
  });

  it('Entra removing someone makes them a leaver although Slack still lists them; a complete read lacking someone drops them', () => {
    const both = applySnapshots(
      [],
      [
        entra([{ key: 'e-1', email: 'a@agency.gov' }]),
        {
          source: 'slack',
          complete: true,
          people: [
            { key: 'U1', email: 'a@agency.gov' },
            { key: 'U2', email: 'z@agency.gov' },
          ],
          removed: [],
        },
      ],
      T1,
    );
    const records = both.records;
    const later = applySnapshots(
      records,
      [
        { source: 'slack', complete: true, people: [{ key: 'U1', email: 'a@agency.gov' }], removed: [] },
        entra([], { complete: false, removed: ['e-1'] }),
      ],
      T2,
    );
    expect(later.left.sort()).toEqual(['a@agency.gov', 'z@agency.gov']);
    expect(later.total).toBe(0);
    // Back again: a returner, not a new person.
    const back = applySnapshots(
      later.records.concat(records.filter((r) => !later.records.some((l) => l.id === r.id))),
      [entra([{ key: 'e-1', email: 'a@agency.gov' }], { complete: false })],
      T2,
    );
    expect(back.returned).toEqual(['a@agency.gov']);
  });
});

describe('the directory beside the policy: what the policy says wins', () => {
  const records = (): DirectoryRecord[] =>
    applySnapshots(
      [],
      [
        entra([
          // Pierre is listed (slack U0STAFF, unit demo/comms): Entra says another department and gives his email.
          { key: '603680f4-d45c-4a7d-aebc-f8ab74766b34', email: 'pierre.martin@agency.gov', name: 'P. Martin', department: 'IT Security' },
          { key: 'e-new', email: 'nora@agency.gov', name: 'Nora Quist', department: 'Communications' },
        ]),
      ],
      T1,
    ).records;

  it("a policy-listed person's unit and name win over the directory's; the directory fills what the policy leaves out", () => {
    const policy = withDirectory(mapped(), records());
    const pierre = resolvePerson(policy, 'pierre');
    expect(pierre).toMatchObject({ id: 'pierre', name: 'Pierre Martin', unit: 'demo/comms', slack: 'U0STAFF' });
    expect(policy.people.find((p) => p.id === 'pierre')?.email).toBe('pierre.martin@agency.gov');
    expect(resolvePerson(policy, 'Pierre.Martin@agency.gov').id).toBe('pierre'); // --as by email
    expect(policy.people.filter((p) => p.id === 'pierre' || p.email === 'pierre.martin@agency.gov')).toHaveLength(1);
  });

  it('everyone else the directory brings is a person of the policy: found by their Teams id, in their mapped unit', () => {
    const policy = withDirectory(mapped(), records());
    const nora = resolvePlatformUser(policy, 'teams', 'e-new');
    expect(nora).toMatchObject({ id: 'nora@agency.gov', name: 'Nora Quist', unit: 'demo/comms', listed: true });
    expect(resolvePlatformUser(policy, 'slack', 'e-new').listed).toBe(false); // a Teams id is never a Slack id
  });

  it('a leaver is no person of the policy any more', () => {
    const left = applySnapshots(records(), [entra([], { complete: false, removed: ['e-new'] })], T2);
    const all = [...records().filter((r) => r.id !== 'nora@agency.gov'), ...left.records];
    expect(withDirectory(mapped(), all).people.some((p) => p.id === 'nora@agency.gov')).toBe(false);
  });

  it('`directory show` says where each fact came from', () => {
    const facts = personFacts(mapped(), records(), 'pierre.martin@agency.gov')!;
    expect(facts).toMatchObject({ id: 'pierre', listed: 'pierre', sources: ['entra'] });
    expect(facts.facts).toEqual(
      expect.arrayContaining([
        { field: 'name', value: 'Pierre Martin', from: 'policy' },
        { field: 'unit', value: 'demo/comms', from: 'policy' },
        { field: 'email', value: 'pierre.martin@agency.gov', from: 'entra' },
      ]),
    );
    expect(personFacts(mapped(), records(), 'nora@agency.gov')!.facts).toEqual(
      expect.arrayContaining([{ field: 'unit', value: 'demo/comms', from: 'entra department "Communications"' }]),
    );
    expect(personFacts(mapped(), records(), 'nobody@agency.gov')).toBeUndefined();
  });
});
