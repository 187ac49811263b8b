import { describe, expect, it } from 'vitest';
import { messageStep } from './timelineKeys';

describe('keyboard in the message list', () => {
  it('moves one message with the arrows, a screenful with the page keys', () => {
    expect(messageStep('ArrowUp', 5, 10, 4)).toEqual({ index: 4, pastEdge: false });
    expect(messageStep('ArrowDown', 5, 10, 4)).toEqual({ index: 6, pastEdge: false });
    expect(messageStep('PageUp', 5, 10, 4)).toEqual({ index: 1, pastEdge: false });
    expect(messageStep('PageDown', 5, 10, 4)).toEqual({ index: 9, pastEdge: false });
  });

  it('goes to the ends with Home and End', () => {
    expect(messageStep('Home', 5, 10, 4)).toEqual({ index: 0, pastEdge: false });
    expect(messageStep('End', 5, 10, 4)).toEqual({ index: 9, pastEdge: false });
  });

  it('stops at an edge and says so (older or newer messages may be fetched there)', () => {
    expect(messageStep('ArrowUp', 0, 10, 4)).toEqual({ index: 0, pastEdge: true });
    expect(messageStep('PageDown', 8, 10, 4)).toEqual({ index: 9, pastEdge: true });
  });

  it('leaves other keys alone, and does nothing without messages', () => {
    expect(messageStep('Enter', 5, 10, 4)).toBeNull();
    expect(messageStep('a', 5, 10, 4)).toBeNull();
    expect(messageStep('ArrowUp', 0, 0, 4)).toBeNull();
  });
});
