import { resolve } from 'node:path';
import { MessagePage, MessageView } from '../../../src-shared/contract';
import { ParleyError } from '../../core/errors';
import type { CommandSpec } from '../commandSpec';
import { CliFailure, EXIT_OK, UsageError } from '../cliError';
import {
  contactName,
  conversationIdOf,
  findDmEntry,
  whyReadOnly,
  holderName,
  listContacts,
  matchContact,
  nodeProfileOption,
  printable,
  withNode,
  type NodeSession,
} from '../control/nodeSession';

const DEFAULT_WAIT_S = 10;
const MAX_WAIT_S = 600;
const POLL_MS = 200;

export const sendCommand: CommandSpec = {
  name: 'send',
  summary: 'Send a message to a contact through the running node',
  details:
    'CONTACT is a contact name (case-insensitive; a unique prefix is enough). The direct conversation is\n' +
    'created if there is none yet. Put -- before a TEXT that starts with "-". With --file PATH the file is\n' +
    'sent (encrypted, in chunks; TEXT then follows it as a message). Needs `parley node` running.\n' +
    `Waits up to --wait seconds (default ${DEFAULT_WAIT_S}) to say what became of the message: delivered, held\n` +
    'by a contact until the recipient is online, or not delivered yet (the node keeps trying). Exits 1\n' +
    'when the message failed, with the reason.',
  options: [
    nodeProfileOption,
    { name: 'to', type: 'string', value: 'CONTACT', description: 'who gets the message', required: true },
    { name: 'file', type: 'string', value: 'PATH', description: 'a file to send' },
    {
      name: 'wait',
      type: 'string',
      value: 'SECONDS',
      description: `how long to wait for the outcome, 0 to ${MAX_WAIT_S} (default ${DEFAULT_WAIT_S}; 0: queue and return)`,
    },
  ],
  positionals: { name: 'TEXT', description: 'the message (several words are joined)' },
  async run(values, io, positionals) {
    const to = values.to;
    if (typeof to !== 'string' || to.trim() === '') throw new UsageError('--to needs a contact name.');
    const text = positionals.join(' ');
    const file = typeof values.file === 'string' && values.file !== '' ? resolve(values.file) : null;
    if (text === '' && file === null) throw new UsageError('Give a TEXT to send, or --file PATH.');
    const waitS = values.wait === undefined ? DEFAULT_WAIT_S : Number(values.wait);
    if (
      typeof values.wait === 'string' &&
      (values.wait.trim() === '' || !(waitS >= 0 && waitS <= MAX_WAIT_S))
    ) {
      throw new UsageError(`--wait must be a number of seconds from 0 to ${MAX_WAIT_S}.`);
    }
    return withNode(values, io, async (node) => {
      const contacts = await listContacts(node);
      const contact = matchContact(contacts, to);
      const who = printable(contactName(contact));
      const conversationId =
        (await findDmEntry(node, contact))?.id ??
        conversationIdOf(await node.call('conversations.createDm', { contactId: contact.id }));
      const sent: MessageView[] = [];
      if (file !== null)
        sent.push(asMessage(await node.call('files.sendPath', { conversationId, path: file })));
      if (text !== '') sent.push(asMessage(await node.call('messages.send', { conversationId, text })));
      if (waitS === 0) {
        io.stdout(`Queued for ${who}.\n`);
        return EXIT_OK;
      }
      const outcome = await settle(node, conversationId, sent, Date.now() + waitS * 1000);
      switch (outcome.state) {
        case 'failed': {
          // The conversation says why when it can no longer send (blocked, replaced by a restore on another device).
          const why = whyReadOnly(await findDmEntry(node, contact));
          throw new CliFailure(`The message to ${who} was not delivered${why ? `: ${printable(why)}` : '.'}`);
        }
        case 'delivered':
        case 'read':
          io.stdout(`Delivered to ${who}.\n`);
          return EXIT_OK;
        case 'held':
          io.stdout(
            `${who} is offline: ${holderName(contacts, outcome.heldBy)} holds the message until ${who} is back online.\n`,
          );
          return EXIT_OK;
        case 'sent':
          io.stdout(`Delivered to some of ${who}'s devices; the node keeps trying the others.\n`);
          return EXIT_OK;
        default:
          io.stdout(
            `Not delivered yet: ${who} cannot be reached now. The node keeps trying; see \`parley messages --with ${who}\`.\n`,
          );
          return EXIT_OK;
      }
    });
  },
};

function asMessage(value: unknown): MessageView {
  const parsed = MessageView.safeParse(value);
  if (!parsed.success)
    throw new ParleyError('INTERNAL', 'The node answered the send in an unexpected shape.');
  return parsed.data;
}

/** Least settled first: the outcome of several messages is that of the one furthest from delivered. */
const RANK: Record<MessageView['state'], number> = {
  failed: 0,
  pending: 1,
  sent: 2,
  held: 3,
  delivered: 4,
  read: 5,
  received: 5,
};
const settled = (m: MessageView): boolean => m.state !== 'pending' && m.state !== 'sent';

/** Polls the messages until each has left the outbox (delivered, held or failed) or the deadline passes. */
async function settle(
  node: NodeSession,
  conversationId: number,
  messages: MessageView[],
  deadline: number,
): Promise<MessageView> {
  let current = messages;
  for (;;) {
    const worst = [...current].sort((a, b) => RANK[a.state] - RANK[b.state])[0];
    if (!worst) throw new ParleyError('INTERNAL', 'Nothing was sent.');
    if (current.every(settled) || worst.state === 'failed' || Date.now() >= deadline) return worst;
    await new Promise((r) => setTimeout(r, POLL_MS));
    current = await Promise.all(
      current.map(async (m) => {
        const page = MessagePage.safeParse(
          await node.call('messages.page', { conversationId, at: { around: m.id }, limit: 3 }),
        );
        return (page.success ? page.data.messages.find((x) => x.id === m.id) : undefined) ?? m;
      }),
    );
  }
}
