import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime';
import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';

export interface Presence {
  version: number;
  state: Presence.State;
  lastSeenBucket: number;
}

export namespace Presence {
  export enum State {
    STATE_UNSPECIFIED = 'STATE_UNSPECIFIED',
    ONLINE = 'ONLINE',
    OFFLINE = 'OFFLINE',
  }

  enum __StateValues {
    STATE_UNSPECIFIED = 0,
    ONLINE = 1,
    OFFLINE = 2,
  }

  export namespace State {
    export const codec = (): Codec<State> => {
      return enumeration<State>(__StateValues);
    };
  }

  let _codec: Codec<Presence>;

  export const codec = (): Codec<Presence> => {
    if (_codec == null) {
      _codec = message<Presence>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.version != null && obj.version !== 0) {
            w.uint32(8);
            w.uint32(obj.version);
          }

          if (obj.state != null && __StateValues[obj.state] !== 0) {
            w.uint32(16);
            Presence.State.codec().encode(obj.state, w);
          }

          if (obj.lastSeenBucket != null && obj.lastSeenBucket !== 0) {
            w.uint32(24);
            w.uint64Number(obj.lastSeenBucket);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            version: 0,
            state: State.STATE_UNSPECIFIED,
            lastSeenBucket: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.version = reader.uint32();
                break;
              }
              case 2: {
                obj.state = Presence.State.codec().decode(reader);
                break;
              }
              case 3: {
                obj.lastSeenBucket = reader.uint64Number();
                break;
              }
              default: {
                reader.skipType(tag & 7);
                break;
              }
            }
          }

          return obj;
        },
        function* (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.version`,
                  value: reader.uint32(),
                };
                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.state`,
                  value: Presence.State.codec().decode(reader),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.lastSeenBucket`,
                  value: reader.uint64Number(),
                };
                break;
              }
              default: {
                reader.skipType(tag & 7);
                break;
              }
            }
          }
        },
      );
    }

    return _codec;
  };

  export interface PresenceVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface PresenceStateFieldEvent {
    field: '$.state';
    value: Presence.State;
  }

  export interface PresenceLastSeenBucketFieldEvent {
    field: '$.lastSeenBucket';
    value: number;
  }

  export function encode(obj: Partial<Presence>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Presence.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Presence>): Presence {
    return decodeMessage(buf, Presence.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<Presence>,
  ): Generator<PresenceVersionFieldEvent | PresenceStateFieldEvent | PresenceLastSeenBucketFieldEvent> {
    return streamMessage(buf, Presence.codec(), opts);
  }
}
