import { describe, expect, it } from 'vitest';
import { requestNames } from '../../../src-shared/contract';
import { stripBidiControls, withCleanNames } from '../../../src-shared/contract/bidi';
import { ParleyError } from '../errors';
import { silentLogger } from '../util/logger';
import { createDispatcher, type Handlers } from './dispatcher';
import { EventBus } from './eventBus';

/**
 * Issue #14 item 12: bidirectional-override characters (U+202E and friends)
 * in names were shown unfiltered, so "Carol" + RLO + "gnp.exe" displayed as
 * "Carolexe.png" and could reorder the words around it.
 */

const RLO = '\u202E';
const SPOOF = `Carol${RLO}gnp.exe`;

function handlers(overrides: Partial<Handlers>): Handlers {
  const offline = (): never => {
    throw new ParleyError('OFFLINE', 'off');
  };
  return {
    ...(Object.fromEntries(requestNames.map((n) => [n, offline])) as unknown as Handlers),
    ...overrides,
  };
}

describe('names with bidi controls', () => {
  it('cross the bridge without them, in replies (UI and CLI alike)', async () => {
    const dispatch = createDispatcher(
      handlers({
        'contacts.requests': () => [
          {
            id: 1,
            name: SPOOF,
            message: `keep ${RLO} in message text`,
            receivedAt: 1,
            proven: false,
            contactId: null,
            sameNameAs: `Bob\u2066x\u2069`,
          },
        ],
      }),
      silentLogger,
    );
    expect(await dispatch('contacts.requests', {})).toEqual({
      ok: true,
      value: [
        {
          id: 1,
          name: 'Carolgnp.exe',
          // Message text is not a name: its search highlights are offsets into it.
          message: `keep ${RLO} in message text`,
          receivedAt: 1,
          proven: false,
          contactId: null,
          sameNameAs: 'Bobx',
        },
      ],
    });
  });

  it('and in events: typing names, notification titles and bodies', () => {
    const bus = new EventBus();
    const seen: unknown[] = [];
    bus.on((name, payload) => seen.push([name, payload]));
    bus.emit('notifications.show', {
      conversationId: 1,
      messageId: 2,
      title: SPOOF,
      body: `sent ${RLO}fdp.exe`,
    });
    expect(seen).toEqual([
      [
        'notifications.show',
        { conversationId: 1, messageId: 2, title: 'Carolgnp.exe', body: 'sent fdp.exe' },
      ],
    ]);
  });

  it('only the controls go: right-to-left letters and the LRM/RLM marks stay', () => {
    expect(stripBidiControls('\u05E9\u05DC\u05D5\u05DD\u200F Ada\u200E')).toBe(
      '\u05E9\u05DC\u05D5\u05DD\u200F Ada\u200E',
    );
    const untouched = { a: { name: 'Ada', body: 'x' } };
    expect(withCleanNames(untouched)).toBe(untouched);
    expect(withCleanNames({ names: [SPOOF, 'Bob'], snippet: SPOOF })).toEqual({
      names: ['Carolgnp.exe', 'Bob'],
      snippet: SPOOF,
    });
  });
});
