// Fault injection on recording SES's bounce and complaint events (functions/mailEvents.ts), at every call × lost
// answer, throttle, time-out: an informant's hard bounce and a transient one (one conditional update each), an
// editor's complaint (the update, then the roster summary rewritten), and the same event delivered a second time (the
// update refused, the person read back). After recovery — Lambda running the event again when the handler threw — each event is recorded exactly
// once, and never lost: a handler that returned had recorded it, one that had not recorded it threw.
import { handler as mailEvents } from '../../../functions/mailEvents';
import { config } from '../../../shared/core/config';
import { getPerson, type Person, rosterSummary } from '../../../shared/roster/people';
import { personIdOf } from '../../../shared/store/keys';
import { bounceMessage, complaintMessage, snsEvent } from '../../fixtures/sesEvents';
import { runFaultMatrix } from '../../support/faultCases';
import { type FaultCounty, startFaultCounty, steppingClock } from '../../support/faultState';

let fc: FaultCounty;
const clock = steppingClock(new Date('2026-09-01T01:00:00Z').getTime());

beforeAll(async () => {
  fc = await startFaultCounty();
});
afterAll(async () => {
  await fc.close();
});

type Stored = Person & { mailEventIds?: Set<string> };
const stored = async (name: string) =>
  (await getPerson(config().countyId, personIdOf(config().countyId, fc.address(name)), {
    consistent: true,
  })) as Stored;
const recordedCount = (p: Stored) => p.mailEventIds?.size ?? 0;

type Answer = { ok: true; recorded: number; already: number } | { ok: false; error: string };
const deliver = (event: ReturnType<typeof snsEvent>): Promise<Answer> =>
  mailEvents(event).then(
    (r) => ({ ok: true, recorded: r.recorded, already: r.already }),
    (err: Error) => ({ ok: false, error: err.name }),
  );

interface CaseState {
  event: ReturnType<typeof snsEvent>;
  /** The case's own time, which the mark it records carries. */
  at: string;
  before: number;
}

/**
 * The invariants of one event for `name`: a handler that returned had recorded it (never lost); one that threw is run
 * again, as Lambda does, and then has; either way the person holds it once, with the case's own mark.
 */
async function recordedOnce(
  name: string,
  state: CaseState,
  first: Answer,
  mark: 'mailStop' | 'mailNote' = 'mailStop',
): Promise<string[]> {
  const problems: string[] = [];
  if (first.ok) {
    if (first.recorded + first.already !== 1) problems.push(`answered ${JSON.stringify(first)}`);
  } else {
    const again = await deliver(state.event);
    if (!again.ok) problems.push(`Lambda's retry failed too (${again.error})`);
  }
  const after = await stored(name);
  // A stop adds its event to the person's set; a transient bounce keeps only the last one, on the note itself.
  const added = mark === 'mailStop' ? 1 : 0;
  if (recordedCount(after) !== state.before + added) {
    problems.push(`${recordedCount(after) - state.before} stopping events recorded instead of ${added}`);
  }
  if (after[mark]?.at !== state.at) problems.push(`the ${mark} is not this event's (${after[mark]?.at})`);
  return problems;
}

describe('recording a bounce under injected faults', () => {
  it('records each hard bounce once, and never answers without having recorded it', async () => {
    const result = await runFaultMatrix<CaseState, Answer>({
      route: 'mail events (bounce)',
      services: ['dynamodb'],
      prepare: async (label) => {
        clock.advance(60_000);
        const at = new Date(clock.now()).toISOString();
        const event = snsEvent(bounceMessage(fc.address('zhang'), { subType: 'NoEmail', messageId: label, at }));
        return { event, at, before: recordedCount(await stored('zhang')) };
      },
      act: (state) => deliver(state.event),
      verify: (state, first) => recordedOnce('zhang', state, first),
    });
    expect(result.violations).toEqual([]);
    expect(result.cases).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('records each transient bounce once, as the note', async () => {
    const result = await runFaultMatrix<CaseState, Answer>({
      route: 'mail events (transient bounce)',
      services: ['dynamodb'],
      prepare: async (label) => {
        clock.advance(60_000);
        const at = new Date(clock.now()).toISOString();
        const event = snsEvent(
          bounceMessage(fc.address('li'), { type: 'Transient', subType: 'MailboxFull', messageId: label, at }),
        );
        return { event, at, before: recordedCount(await stored('li')) };
      },
      act: (state) => deliver(state.event),
      verify: (state, first) => recordedOnce('li', state, first, 'mailNote'),
    });
    expect(result.violations).toEqual([]);
    expect(result.cases).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it("records each editor's complaint once, and their stop reaches the roster summary", async () => {
    const result = await runFaultMatrix<CaseState, Answer>({
      route: 'mail events (editor complaint)',
      services: ['dynamodb'],
      prepare: async (label) => {
        clock.advance(60_000);
        const at = new Date(clock.now()).toISOString();
        const event = snsEvent(complaintMessage(fc.address('wang'), { messageId: label, at }));
        return { event, at, before: recordedCount(await stored('wang')) };
      },
      act: (state) => deliver(state.event),
      verify: async (state, first) => {
        const problems = await recordedOnce('wang', state, first);
        const editor = (await rosterSummary(config().countyId)).editors.find((e) => e.name === '王编辑');
        if (editor?.mailStop?.at !== state.at) problems.push('the roster summary does not hold the new stop');
        return problems;
      },
    });
    expect(result.violations).toEqual([]);
    // The update, the roster read and the summary's put: each faulted three ways.
    expect(result.calls.dynamodb).toBe(3);
  }, 120_000);

  it('records an event SES delivers a second time once, however the look back fails', async () => {
    const result = await runFaultMatrix<CaseState, Answer>({
      route: 'mail events (delivered twice)',
      services: ['dynamodb'],
      prepare: async (label) => {
        clock.advance(60_000);
        const at = new Date(clock.now()).toISOString();
        const event = snsEvent(bounceMessage(fc.address('zhou'), { messageId: label, at }));
        const before = recordedCount(await stored('zhou'));
        // The first delivery, recorded without a fault; the case is the second.
        expect(await deliver(event)).toEqual({ ok: true, recorded: 1, already: 0 });
        return { event, at, before };
      },
      act: (state) => deliver(state.event),
      verify: (state, first) => recordedOnce('zhou', state, first),
    });
    expect(result.violations).toEqual([]);
    // The refused update, and the read that finds the event there.
    expect(result.calls.dynamodb).toBe(2);
  }, 120_000);
});
