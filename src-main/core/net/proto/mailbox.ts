import {
  decodeMessage,
  encodeMessage,
  enumeration,
  MaxLengthError,
  message,
  streamMessage,
} from 'protons-runtime';
import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';

export interface MailboxRequest {
  version: number;
  deposit?: MailboxDeposit;
  fetch?: MailboxFetch;
  ack?: MailboxAck;
  notice?: MailboxNotice;
}

export namespace MailboxRequest {
  let _codec: Codec<MailboxRequest>;

  export const codec = (): Codec<MailboxRequest> => {
    if (_codec == null) {
      _codec = message<MailboxRequest>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.version != null && obj.version !== 0) {
            w.uint32(8);
            w.uint32(obj.version);
          }

          if (obj.deposit != null) {
            w.uint32(18);
            MailboxDeposit.codec().encode(obj.deposit, w);
          }

          if (obj.fetch != null) {
            w.uint32(26);
            MailboxFetch.codec().encode(obj.fetch, w);
          }

          if (obj.ack != null) {
            w.uint32(34);
            MailboxAck.codec().encode(obj.ack, w);
          }

          if (obj.notice != null) {
            w.uint32(42);
            MailboxNotice.codec().encode(obj.notice, w);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            version: 0,
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
                obj.deposit = MailboxDeposit.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.deposit,
                });
                break;
              }
              case 3: {
                obj.fetch = MailboxFetch.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.fetch,
                });
                break;
              }
              case 4: {
                obj.ack = MailboxAck.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.ack,
                });
                break;
              }
              case 5: {
                obj.notice = MailboxNotice.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.notice,
                });
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
                yield* MailboxDeposit.codec().stream(reader, reader.uint32(), `${prefix}.deposit`, {
                  limits: opts.limits?.deposit,
                });

                break;
              }
              case 3: {
                yield* MailboxFetch.codec().stream(reader, reader.uint32(), `${prefix}.fetch`, {
                  limits: opts.limits?.fetch,
                });

                break;
              }
              case 4: {
                yield* MailboxAck.codec().stream(reader, reader.uint32(), `${prefix}.ack`, {
                  limits: opts.limits?.ack,
                });

                break;
              }
              case 5: {
                yield* MailboxNotice.codec().stream(reader, reader.uint32(), `${prefix}.notice`, {
                  limits: opts.limits?.notice,
                });

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

  export interface MailboxRequestVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface MailboxRequestDepositRecipientFieldEvent {
    field: '$.deposit.recipient';
    value: string;
  }

  export interface MailboxRequestDepositEnvelopeIdFieldEvent {
    field: '$.deposit.envelopeId';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface MailboxRequestDepositPayloadFieldEvent {
    field: '$.deposit.payload';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface MailboxRequestDepositTtlSecondsFieldEvent {
    field: '$.deposit.ttlSeconds';
    value: number;
  }

  export interface MailboxRequestFetchRecipientFieldEvent {
    field: '$.fetch.recipient';
    value: string;
  }

  export interface MailboxRequestFetchMaxItemsFieldEvent {
    field: '$.fetch.maxItems';
    value: number;
  }

  export interface MailboxRequestAckRecipientFieldEvent {
    field: '$.ack.recipient';
    value: string;
  }

  export interface MailboxRequestAckEnvelopeIdsFieldEvent {
    field: '$.ack.envelopeIds[]';
    index: number;
    value: Uint8Array<ArrayBuffer>;
  }

  export interface MailboxRequestNoticeRecipientFieldEvent {
    field: '$.notice.recipient';
    value: string;
  }

  export function encode(obj: Partial<MailboxRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxRequest.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<MailboxRequest>,
  ): MailboxRequest {
    return decodeMessage(buf, MailboxRequest.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<MailboxRequest>,
  ): Generator<
    | MailboxRequestVersionFieldEvent
    | MailboxRequestDepositRecipientFieldEvent
    | MailboxRequestDepositEnvelopeIdFieldEvent
    | MailboxRequestDepositPayloadFieldEvent
    | MailboxRequestDepositTtlSecondsFieldEvent
    | MailboxRequestFetchRecipientFieldEvent
    | MailboxRequestFetchMaxItemsFieldEvent
    | MailboxRequestAckRecipientFieldEvent
    | MailboxRequestAckEnvelopeIdsFieldEvent
    | MailboxRequestNoticeRecipientFieldEvent
  > {
    return streamMessage(buf, MailboxRequest.codec(), opts);
  }
}

export interface MailboxDeposit {
  recipient: string;
  envelopeId?: Uint8Array<ArrayBuffer>;
  payload?: Uint8Array<ArrayBuffer>;
  ttlSeconds: number;
}

export namespace MailboxDeposit {
  let _codec: Codec<MailboxDeposit>;

  export const codec = (): Codec<MailboxDeposit> => {
    if (_codec == null) {
      _codec = message<MailboxDeposit>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.recipient != null && obj.recipient !== '') {
            w.uint32(10);
            w.string(obj.recipient);
          }

          if (obj.envelopeId != null) {
            w.uint32(18);
            w.bytes(obj.envelopeId);
          }

          if (obj.payload != null) {
            w.uint32(26);
            w.bytes(obj.payload);
          }

          if (obj.ttlSeconds != null && obj.ttlSeconds !== 0) {
            w.uint32(32);
            w.uint32(obj.ttlSeconds);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            recipient: '',
            ttlSeconds: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.recipient = reader.string();
                break;
              }
              case 2: {
                obj.envelopeId = reader.bytes();
                break;
              }
              case 3: {
                obj.payload = reader.bytes();
                break;
              }
              case 4: {
                obj.ttlSeconds = reader.uint32();
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
                  field: `${prefix}.recipient`,
                  value: reader.string(),
                };
                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.envelopeId`,
                  value: reader.bytes(),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.payload`,
                  value: reader.bytes(),
                };
                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.ttlSeconds`,
                  value: reader.uint32(),
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

  export interface MailboxDepositRecipientFieldEvent {
    field: '$.recipient';
    value: string;
  }

  export interface MailboxDepositEnvelopeIdFieldEvent {
    field: '$.envelopeId';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface MailboxDepositPayloadFieldEvent {
    field: '$.payload';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface MailboxDepositTtlSecondsFieldEvent {
    field: '$.ttlSeconds';
    value: number;
  }

  export function encode(obj: Partial<MailboxDeposit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxDeposit.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<MailboxDeposit>,
  ): MailboxDeposit {
    return decodeMessage(buf, MailboxDeposit.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<MailboxDeposit>,
  ): Generator<
    | MailboxDepositRecipientFieldEvent
    | MailboxDepositEnvelopeIdFieldEvent
    | MailboxDepositPayloadFieldEvent
    | MailboxDepositTtlSecondsFieldEvent
  > {
    return streamMessage(buf, MailboxDeposit.codec(), opts);
  }
}

export interface MailboxFetch {
  recipient: string;
  maxItems: number;
}

export namespace MailboxFetch {
  let _codec: Codec<MailboxFetch>;

  export const codec = (): Codec<MailboxFetch> => {
    if (_codec == null) {
      _codec = message<MailboxFetch>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.recipient != null && obj.recipient !== '') {
            w.uint32(10);
            w.string(obj.recipient);
          }

          if (obj.maxItems != null && obj.maxItems !== 0) {
            w.uint32(16);
            w.uint32(obj.maxItems);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            recipient: '',
            maxItems: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.recipient = reader.string();
                break;
              }
              case 2: {
                obj.maxItems = reader.uint32();
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
                  field: `${prefix}.recipient`,
                  value: reader.string(),
                };
                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.maxItems`,
                  value: reader.uint32(),
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

  export interface MailboxFetchRecipientFieldEvent {
    field: '$.recipient';
    value: string;
  }

  export interface MailboxFetchMaxItemsFieldEvent {
    field: '$.maxItems';
    value: number;
  }

  export function encode(obj: Partial<MailboxFetch>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxFetch.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxFetch>): MailboxFetch {
    return decodeMessage(buf, MailboxFetch.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<MailboxFetch>,
  ): Generator<MailboxFetchRecipientFieldEvent | MailboxFetchMaxItemsFieldEvent> {
    return streamMessage(buf, MailboxFetch.codec(), opts);
  }
}

export interface MailboxAck {
  recipient: string;
  envelopeIds: Uint8Array<ArrayBuffer>[];
}

export namespace MailboxAck {
  let _codec: Codec<MailboxAck>;

  export const codec = (): Codec<MailboxAck> => {
    if (_codec == null) {
      _codec = message<MailboxAck>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.recipient != null && obj.recipient !== '') {
            w.uint32(10);
            w.string(obj.recipient);
          }

          if (obj.envelopeIds != null && obj.envelopeIds.length > 0) {
            for (const value of obj.envelopeIds) {
              w.uint32(18);
              w.bytes(value);
            }
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            recipient: '',
            envelopeIds: [],
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.recipient = reader.string();
                break;
              }
              case 2: {
                if (opts.limits?.envelopeIds != null && obj.envelopeIds.length === opts.limits.envelopeIds) {
                  throw new MaxLengthError(
                    'Decode error - repeated field "envelopeIds" had too many elements',
                  );
                }

                if (obj.envelopeIds.length === 256) {
                  throw new MaxLengthError(
                    'Decode error - repeated field "envelopeIds" had too many elements',
                  );
                }

                obj.envelopeIds.push(reader.bytes());
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
          const obj = {
            envelopeIds: 256,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.recipient`,
                  value: reader.string(),
                };
                break;
              }
              case 2: {
                if (opts.limits?.envelopeIds != null && obj.envelopeIds === opts.limits.envelopeIds) {
                  throw new MaxLengthError(
                    'Streaming decode error - repeated field "envelopeIds" had too many elements',
                  );
                }

                if (obj.envelopeIds === 256) {
                  throw new MaxLengthError(
                    'Streaming decode error - repeated field "envelopeIds" had too many elements',
                  );
                }

                yield {
                  field: `${prefix}.envelopeIds[]`,
                  index: obj.envelopeIds,
                  value: reader.bytes(),
                };

                obj.envelopeIds++;

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

  export interface MailboxAckRecipientFieldEvent {
    field: '$.recipient';
    value: string;
  }

  export interface MailboxAckEnvelopeIdsFieldEvent {
    field: '$.envelopeIds[]';
    index: number;
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<MailboxAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxAck.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxAck>): MailboxAck {
    return decodeMessage(buf, MailboxAck.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<MailboxAck>,
  ): Generator<MailboxAckRecipientFieldEvent | MailboxAckEnvelopeIdsFieldEvent> {
    return streamMessage(buf, MailboxAck.codec(), opts);
  }
}

export interface MailboxNotice {
  recipient: string;
}

export namespace MailboxNotice {
  let _codec: Codec<MailboxNotice>;

  export const codec = (): Codec<MailboxNotice> => {
    if (_codec == null) {
      _codec = message<MailboxNotice>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.recipient != null && obj.recipient !== '') {
            w.uint32(10);
            w.string(obj.recipient);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            recipient: '',
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.recipient = reader.string();
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
                  field: `${prefix}.recipient`,
                  value: reader.string(),
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

  export interface MailboxNoticeRecipientFieldEvent {
    field: '$.recipient';
    value: string;
  }

  export function encode(obj: Partial<MailboxNotice>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxNotice.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<MailboxNotice>,
  ): MailboxNotice {
    return decodeMessage(buf, MailboxNotice.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<MailboxNotice>,
  ): Generator<MailboxNoticeRecipientFieldEvent> {
    return streamMessage(buf, MailboxNotice.codec(), opts);
  }
}

export interface MailboxItem {
  envelopeId?: Uint8Array<ArrayBuffer>;
  payload?: Uint8Array<ArrayBuffer>;
}

export namespace MailboxItem {
  let _codec: Codec<MailboxItem>;

  export const codec = (): Codec<MailboxItem> => {
    if (_codec == null) {
      _codec = message<MailboxItem>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.envelopeId != null) {
            w.uint32(10);
            w.bytes(obj.envelopeId);
          }

          if (obj.payload != null) {
            w.uint32(18);
            w.bytes(obj.payload);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {};

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.envelopeId = reader.bytes();
                break;
              }
              case 2: {
                obj.payload = reader.bytes();
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
                  field: `${prefix}.envelopeId`,
                  value: reader.bytes(),
                };
                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.payload`,
                  value: reader.bytes(),
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

  export interface MailboxItemEnvelopeIdFieldEvent {
    field: '$.envelopeId';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface MailboxItemPayloadFieldEvent {
    field: '$.payload';
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<MailboxItem>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxItem.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxItem>): MailboxItem {
    return decodeMessage(buf, MailboxItem.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<MailboxItem>,
  ): Generator<MailboxItemEnvelopeIdFieldEvent | MailboxItemPayloadFieldEvent> {
    return streamMessage(buf, MailboxItem.codec(), opts);
  }
}

export interface MailboxResponse {
  version: number;
  status: MailboxResponse.Status;
  items: MailboxItem[];
  done: boolean;
  removed: number;
  more: boolean;
}

export namespace MailboxResponse {
  export enum Status {
    STATUS_UNSPECIFIED = 'STATUS_UNSPECIFIED',
    OK = 'OK',
    STORED = 'STORED',
    QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
    REJECTED = 'REJECTED',
  }

  enum __StatusValues {
    STATUS_UNSPECIFIED = 0,
    OK = 1,
    STORED = 2,
    QUOTA_EXCEEDED = 3,
    REJECTED = 4,
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues);
    };
  }

  let _codec: Codec<MailboxResponse>;

  export const codec = (): Codec<MailboxResponse> => {
    if (_codec == null) {
      _codec = message<MailboxResponse>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.version != null && obj.version !== 0) {
            w.uint32(8);
            w.uint32(obj.version);
          }

          if (obj.status != null && __StatusValues[obj.status] !== 0) {
            w.uint32(16);
            MailboxResponse.Status.codec().encode(obj.status, w);
          }

          if (obj.items != null && obj.items.length > 0) {
            for (const value of obj.items) {
              w.uint32(26);
              MailboxItem.codec().encode(value, w);
            }
          }

          if (obj.done != null && obj.done !== false) {
            w.uint32(32);
            w.bool(obj.done);
          }

          if (obj.removed != null && obj.removed !== 0) {
            w.uint32(40);
            w.uint32(obj.removed);
          }

          if (obj.more != null && obj.more !== false) {
            w.uint32(48);
            w.bool(obj.more);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            version: 0,
            status: Status.STATUS_UNSPECIFIED,
            items: [],
            done: false,
            removed: 0,
            more: false,
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
                obj.status = MailboxResponse.Status.codec().decode(reader);
                break;
              }
              case 3: {
                if (opts.limits?.items != null && obj.items.length === opts.limits.items) {
                  throw new MaxLengthError('Decode error - repeated field "items" had too many elements');
                }

                if (obj.items.length === 64) {
                  throw new MaxLengthError('Decode error - repeated field "items" had too many elements');
                }

                obj.items.push(
                  MailboxItem.codec().decode(reader, reader.uint32(), {
                    limits: opts.limits?.items$,
                  }),
                );
                break;
              }
              case 4: {
                obj.done = reader.bool();
                break;
              }
              case 5: {
                obj.removed = reader.uint32();
                break;
              }
              case 6: {
                obj.more = reader.bool();
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
          const obj = {
            items: 64,
          };

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
                  field: `${prefix}.status`,
                  value: MailboxResponse.Status.codec().decode(reader),
                };
                break;
              }
              case 3: {
                if (opts.limits?.items != null && obj.items === opts.limits.items) {
                  throw new MaxLengthError(
                    'Streaming decode error - repeated field "items" had too many elements',
                  );
                }

                if (obj.items === 64) {
                  throw new MaxLengthError(
                    'Streaming decode error - repeated field "items" had too many elements',
                  );
                }

                for (const evt of MailboxItem.codec().stream(reader, reader.uint32(), `${prefix}.items[]`, {
                  limits: opts.limits?.items$,
                })) {
                  yield {
                    ...evt,
                    index: obj.items,
                  };
                }

                obj.items++;

                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.done`,
                  value: reader.bool(),
                };
                break;
              }
              case 5: {
                yield {
                  field: `${prefix}.removed`,
                  value: reader.uint32(),
                };
                break;
              }
              case 6: {
                yield {
                  field: `${prefix}.more`,
                  value: reader.bool(),
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

  export interface MailboxResponseVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface MailboxResponseStatusFieldEvent {
    field: '$.status';
    value: MailboxResponse.Status;
  }

  export interface MailboxResponseItemsEnvelopeIdFieldEvent {
    field: '$.items[].envelopeId';
    value: Uint8Array<ArrayBuffer>;
    index: number;
  }

  export interface MailboxResponseItemsPayloadFieldEvent {
    field: '$.items[].payload';
    value: Uint8Array<ArrayBuffer>;
    index: number;
  }

  export interface MailboxResponseDoneFieldEvent {
    field: '$.done';
    value: boolean;
  }

  export interface MailboxResponseRemovedFieldEvent {
    field: '$.removed';
    value: number;
  }

  export interface MailboxResponseMoreFieldEvent {
    field: '$.more';
    value: boolean;
  }

  export function encode(obj: Partial<MailboxResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxResponse.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<MailboxResponse>,
  ): MailboxResponse {
    return decodeMessage(buf, MailboxResponse.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<MailboxResponse>,
  ): Generator<
    | MailboxResponseVersionFieldEvent
    | MailboxResponseStatusFieldEvent
    | MailboxResponseItemsEnvelopeIdFieldEvent
    | MailboxResponseItemsPayloadFieldEvent
    | MailboxResponseDoneFieldEvent
    | MailboxResponseRemovedFieldEvent
    | MailboxResponseMoreFieldEvent
  > {
    return streamMessage(buf, MailboxResponse.codec(), opts);
  }
}
