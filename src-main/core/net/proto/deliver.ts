import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime';
import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';

export interface DeliverRequest {
  version: number;
  envelopeId?: Uint8Array<ArrayBuffer>;
  payload?: Uint8Array<ArrayBuffer>;
}

export namespace DeliverRequest {
  let _codec: Codec<DeliverRequest>;

  export const codec = (): Codec<DeliverRequest> => {
    if (_codec == null) {
      _codec = message<DeliverRequest>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.version != null && obj.version !== 0) {
            w.uint32(8);
            w.uint32(obj.version);
          }

          if (obj.envelopeId != null) {
            w.uint32(18);
            w.bytes(obj.envelopeId);
          }

          if (obj.payload != null) {
            w.uint32(26);
            w.bytes(obj.payload);
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
                obj.envelopeId = reader.bytes();
                break;
              }
              case 3: {
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
                  field: `${prefix}.version`,
                  value: reader.uint32(),
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

  export interface DeliverRequestVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface DeliverRequestEnvelopeIdFieldEvent {
    field: '$.envelopeId';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface DeliverRequestPayloadFieldEvent {
    field: '$.payload';
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<DeliverRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DeliverRequest.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<DeliverRequest>,
  ): DeliverRequest {
    return decodeMessage(buf, DeliverRequest.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<DeliverRequest>,
  ): Generator<
    DeliverRequestVersionFieldEvent | DeliverRequestEnvelopeIdFieldEvent | DeliverRequestPayloadFieldEvent
  > {
    return streamMessage(buf, DeliverRequest.codec(), opts);
  }
}

export interface DeliverAck {
  version: number;
  envelopeId?: Uint8Array<ArrayBuffer>;
  status: DeliverAck.Status;
}

export namespace DeliverAck {
  export enum Status {
    STATUS_UNSPECIFIED = 'STATUS_UNSPECIFIED',
    ACCEPTED = 'ACCEPTED',
    DUPLICATE = 'DUPLICATE',
    REJECTED = 'REJECTED',
  }

  enum __StatusValues {
    STATUS_UNSPECIFIED = 0,
    ACCEPTED = 1,
    DUPLICATE = 2,
    REJECTED = 3,
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues);
    };
  }

  let _codec: Codec<DeliverAck>;

  export const codec = (): Codec<DeliverAck> => {
    if (_codec == null) {
      _codec = message<DeliverAck>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.version != null && obj.version !== 0) {
            w.uint32(8);
            w.uint32(obj.version);
          }

          if (obj.envelopeId != null) {
            w.uint32(18);
            w.bytes(obj.envelopeId);
          }

          if (obj.status != null && __StatusValues[obj.status] !== 0) {
            w.uint32(24);
            DeliverAck.Status.codec().encode(obj.status, w);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            version: 0,
            status: Status.STATUS_UNSPECIFIED,
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
                obj.envelopeId = reader.bytes();
                break;
              }
              case 3: {
                obj.status = DeliverAck.Status.codec().decode(reader);
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
                  field: `${prefix}.envelopeId`,
                  value: reader.bytes(),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.status`,
                  value: DeliverAck.Status.codec().decode(reader),
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

  export interface DeliverAckVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface DeliverAckEnvelopeIdFieldEvent {
    field: '$.envelopeId';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface DeliverAckStatusFieldEvent {
    field: '$.status';
    value: DeliverAck.Status;
  }

  export function encode(obj: Partial<DeliverAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DeliverAck.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeliverAck>): DeliverAck {
    return decodeMessage(buf, DeliverAck.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<DeliverAck>,
  ): Generator<DeliverAckVersionFieldEvent | DeliverAckEnvelopeIdFieldEvent | DeliverAckStatusFieldEvent> {
    return streamMessage(buf, DeliverAck.codec(), opts);
  }
}
