import { describe, expect, it } from 'vitest';
import type { GroupMemberView, Role } from '../../../../src-shared/contract/areas/conversations';
import { ackMessage, holdsAuthority, lastSystemMessageId, memberActions } from './memberActions';

const m = (name: string, role: Role, self = false): GroupMemberView => ({
  identityKey: name.padEnd(64, '0'),
  name,
  role,
  self,
  contactId: null,
  verified: false,
});

describe('member actions (mirror of the core role policy)', () => {
  const owner = m('a', 'owner', true);
  const admin = m('b', 'admin');
  const member = m('c', 'member');
  const all = [owner, admin, member];

  it('the owner removes anyone but themselves and changes roles', () => {
    expect(memberActions('owner', member, all)).toEqual({
      canRemove: true,
      canMakeAdmin: true,
      canMakeMember: false,
    });
    expect(memberActions('owner', admin, all)).toEqual({
      canRemove: true,
      canMakeAdmin: false,
      canMakeMember: true,
    });
    expect(memberActions('owner', owner, all)).toEqual({
      canRemove: false,
      canMakeAdmin: false,
      canMakeMember: false,
    });
  });

  it('an admin removes members but not admins or the owner while the owner is there', () => {
    const me = { ...admin, self: true };
    const other = m('d', 'admin');
    const members = [m('a', 'owner'), me, other, member];
    expect(memberActions('admin', member, members)).toEqual({
      canRemove: true,
      canMakeAdmin: false,
      canMakeMember: false,
    });
    expect(memberActions('admin', other, members).canRemove).toBe(false);
    expect(memberActions('admin', m('a', 'owner'), members).canRemove).toBe(false);
    // Once the owner left, admins hold the authority.
    const noOwner = [me, other, member];
    expect(holdsAuthority('admin', noOwner)).toBe(true);
    expect(memberActions('admin', other, noOwner)).toEqual({
      canRemove: true,
      canMakeAdmin: false,
      canMakeMember: true,
    });
  });

  it('a plain member or someone who left gets no actions', () => {
    expect(memberActions('member', admin, all)).toEqual({
      canRemove: false,
      canMakeAdmin: false,
      canMakeMember: false,
    });
    expect(memberActions(null, member, all).canRemove).toBe(false);
  });

  it('says when a change was only proposed', () => {
    expect(ackMessage(true, 'Done.')).toBe('Done.');
    expect(ackMessage(false, 'Done.')).toMatch(/proposal/);
    expect(ackMessage(false, 'Done.', 'member')).toMatch(/proposal/);
    // An owner's change right after another one is queued, not proposed to someone else.
    for (const role of ['owner', 'admin'] as const) {
      expect(ackMessage(false, 'Done.', role)).not.toMatch(/proposal/);
      expect(ackMessage(false, 'Done.', role)).toMatch(/previous change/);
    }
    expect(ackMessage(true, 'Done.', 'owner')).toBe('Done.');
  });

  it('finds the newest group change line, which makes the open info panel reload', () => {
    const text = (id: number) => ({ id, kind: 'text' as const });
    const system = (id: number) => ({ id, kind: 'system' as const });
    expect(lastSystemMessageId(undefined)).toBeNull();
    expect(lastSystemMessageId([text(1), text(2)])).toBeNull();
    expect(lastSystemMessageId([system(1), text(2), system(3), text(4)])).toBe(3);
    // A queued role change applied a minute later adds a line: the answer moves.
    expect(lastSystemMessageId([system(1), text(2), system(3), text(4), system(5)])).toBe(5);
  });
});
