import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime';
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc';
import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';

export interface GroupInfoRequest {
  version: number;
  groupId: Uint8Array<ArrayBuffer>;
  credential: Uint8Array<ArrayBuffer>;
}

export namespace GroupInfoRequest {
  let _codec: Codec<GroupInfoRequest>;

  export const codec = (): Codec<GroupInfoRequest> => {
    if (_codec == null) {
      _codec = message<GroupInfoRequest>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.version != null && obj.version !== 0) {
            w.uint32(8);
            w.uint32(obj.version);
          }

          if (obj.groupId != null && obj.groupId.byteLength > 0) {
            w.uint32(18);
            w.bytes(obj.groupId);
          }

          if (obj.credential != null && obj.credential.byteLength > 0) {
            w.uint32(26);
            w.bytes(obj.credential);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            version: 0,
            groupId: uint8ArrayAlloc(0),
            credential: uint8ArrayAlloc(0),
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
                obj.groupId = reader.bytes();
                break;
              }
              case 3: {
                obj.credential = reader.bytes();
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
                  field: `${prefix}.groupId`,
                  value: reader.bytes(),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.credential`,
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

  export interface GroupInfoRequestVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface GroupInfoRequestGroupIdFieldEvent {
    field: '$.groupId';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface GroupInfoRequestCredentialFieldEvent {
    field: '$.credential';
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<GroupInfoRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GroupInfoRequest.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<GroupInfoRequest>,
  ): GroupInfoRequest {
    return decodeMessage(buf, GroupInfoRequest.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<GroupInfoRequest>,
  ): Generator<
    | GroupInfoRequestVersionFieldEvent
    | GroupInfoRequestGroupIdFieldEvent
    | GroupInfoRequestCredentialFieldEvent
  > {
    return streamMessage(buf, GroupInfoRequest.codec(), opts);
  }
}

export interface GroupInfoResponse {
  version: number;
  groupInfo?: Uint8Array<ArrayBuffer>;
  error: GroupInfoResponse.Error;
}

export namespace GroupInfoResponse {
  export enum Error {
    ERROR_UNSPECIFIED = 'ERROR_UNSPECIFIED',
    REFUSED = 'REFUSED',
  }

  enum __ErrorValues {
    ERROR_UNSPECIFIED = 0,
    REFUSED = 1,
  }

  export namespace Error {
    export const codec = (): Codec<Error> => {
      return enumeration<Error>(__ErrorValues);
    };
  }

  let _codec: Codec<GroupInfoResponse>;

  export const codec = (): Codec<GroupInfoResponse> => {
    if (_codec == null) {
      _codec = message<GroupInfoResponse>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.version != null && obj.version !== 0) {
            w.uint32(8);
            w.uint32(obj.version);
          }

          if (obj.groupInfo != null) {
            w.uint32(18);
            w.bytes(obj.groupInfo);
          }

          if (obj.error != null && __ErrorValues[obj.error] !== 0) {
            w.uint32(24);
            GroupInfoResponse.Error.codec().encode(obj.error, w);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            version: 0,
            error: Error.ERROR_UNSPECIFIED,
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
                obj.groupInfo = reader.bytes();
                break;
              }
              case 3: {
                obj.error = GroupInfoResponse.Error.codec().decode(reader);
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
                  field: `${prefix}.groupInfo`,
                  value: reader.bytes(),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.error`,
                  value: GroupInfoResponse.Error.codec().decode(reader),
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

  export interface GroupInfoResponseVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface GroupInfoResponseGroupInfoFieldEvent {
    field: '$.groupInfo';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface GroupInfoResponseErrorFieldEvent {
    field: '$.error';
    value: GroupInfoResponse.Error;
  }

  export function encode(obj: Partial<GroupInfoResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GroupInfoResponse.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<GroupInfoResponse>,
  ): GroupInfoResponse {
    return decodeMessage(buf, GroupInfoResponse.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<GroupInfoResponse>,
  ): Generator<
    | GroupInfoResponseVersionFieldEvent
    | GroupInfoResponseGroupInfoFieldEvent
    | GroupInfoResponseErrorFieldEvent
  > {
    return streamMessage(buf, GroupInfoResponse.codec(), opts);
  }
}
