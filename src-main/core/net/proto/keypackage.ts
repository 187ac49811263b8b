import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime';
import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';

export interface KeyPackageRequest {
  version: number;
}

export namespace KeyPackageRequest {
  let _codec: Codec<KeyPackageRequest>;

  export const codec = (): Codec<KeyPackageRequest> => {
    if (_codec == null) {
      _codec = message<KeyPackageRequest>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.version != null && obj.version !== 0) {
            w.uint32(8);
            w.uint32(obj.version);
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

  export interface KeyPackageRequestVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export function encode(obj: Partial<KeyPackageRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KeyPackageRequest.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<KeyPackageRequest>,
  ): KeyPackageRequest {
    return decodeMessage(buf, KeyPackageRequest.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<KeyPackageRequest>,
  ): Generator<KeyPackageRequestVersionFieldEvent> {
    return streamMessage(buf, KeyPackageRequest.codec(), opts);
  }
}

export interface KeyPackageResponse {
  version: number;
  keyPackage?: Uint8Array<ArrayBuffer>;
  error: KeyPackageResponse.Error;
}

export namespace KeyPackageResponse {
  export enum Error {
    ERROR_UNSPECIFIED = 'ERROR_UNSPECIFIED',
    NONE_AVAILABLE = 'NONE_AVAILABLE',
  }

  enum __ErrorValues {
    ERROR_UNSPECIFIED = 0,
    NONE_AVAILABLE = 1,
  }

  export namespace Error {
    export const codec = (): Codec<Error> => {
      return enumeration<Error>(__ErrorValues);
    };
  }

  let _codec: Codec<KeyPackageResponse>;

  export const codec = (): Codec<KeyPackageResponse> => {
    if (_codec == null) {
      _codec = message<KeyPackageResponse>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.version != null && obj.version !== 0) {
            w.uint32(8);
            w.uint32(obj.version);
          }

          if (obj.keyPackage != null) {
            w.uint32(18);
            w.bytes(obj.keyPackage);
          }

          if (obj.error != null && __ErrorValues[obj.error] !== 0) {
            w.uint32(24);
            KeyPackageResponse.Error.codec().encode(obj.error, w);
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
                obj.keyPackage = reader.bytes();
                break;
              }
              case 3: {
                obj.error = KeyPackageResponse.Error.codec().decode(reader);
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
                  field: `${prefix}.keyPackage`,
                  value: reader.bytes(),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.error`,
                  value: KeyPackageResponse.Error.codec().decode(reader),
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

  export interface KeyPackageResponseVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface KeyPackageResponseKeyPackageFieldEvent {
    field: '$.keyPackage';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface KeyPackageResponseErrorFieldEvent {
    field: '$.error';
    value: KeyPackageResponse.Error;
  }

  export function encode(obj: Partial<KeyPackageResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KeyPackageResponse.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<KeyPackageResponse>,
  ): KeyPackageResponse {
    return decodeMessage(buf, KeyPackageResponse.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<KeyPackageResponse>,
  ): Generator<
    | KeyPackageResponseVersionFieldEvent
    | KeyPackageResponseKeyPackageFieldEvent
    | KeyPackageResponseErrorFieldEvent
  > {
    return streamMessage(buf, KeyPackageResponse.codec(), opts);
  }
}
