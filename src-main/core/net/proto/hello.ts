import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime';
import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';

export interface HelloRequest {
  version: number;
}

export namespace HelloRequest {
  let _codec: Codec<HelloRequest>;

  export const codec = (): Codec<HelloRequest> => {
    if (_codec == null) {
      _codec = message<HelloRequest>(
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

  export interface HelloRequestVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export function encode(obj: Partial<HelloRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HelloRequest.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HelloRequest>): HelloRequest {
    return decodeMessage(buf, HelloRequest.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<HelloRequest>,
  ): Generator<HelloRequestVersionFieldEvent> {
    return streamMessage(buf, HelloRequest.codec(), opts);
  }
}

export interface HelloResponse {
  version: number;
  displayName: string;
  identityKey?: Uint8Array<ArrayBuffer>;
  deviceCertificate?: Uint8Array<ArrayBuffer>;
}

export namespace HelloResponse {
  let _codec: Codec<HelloResponse>;

  export const codec = (): Codec<HelloResponse> => {
    if (_codec == null) {
      _codec = message<HelloResponse>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.version != null && obj.version !== 0) {
            w.uint32(8);
            w.uint32(obj.version);
          }

          if (obj.displayName != null && obj.displayName !== '') {
            w.uint32(18);
            w.string(obj.displayName);
          }

          if (obj.identityKey != null) {
            w.uint32(26);
            w.bytes(obj.identityKey);
          }

          if (obj.deviceCertificate != null) {
            w.uint32(34);
            w.bytes(obj.deviceCertificate);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            version: 0,
            displayName: '',
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
                obj.displayName = reader.string();
                break;
              }
              case 3: {
                obj.identityKey = reader.bytes();
                break;
              }
              case 4: {
                obj.deviceCertificate = reader.bytes();
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
                  field: `${prefix}.displayName`,
                  value: reader.string(),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.identityKey`,
                  value: reader.bytes(),
                };
                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.deviceCertificate`,
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

  export interface HelloResponseVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface HelloResponseDisplayNameFieldEvent {
    field: '$.displayName';
    value: string;
  }

  export interface HelloResponseIdentityKeyFieldEvent {
    field: '$.identityKey';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface HelloResponseDeviceCertificateFieldEvent {
    field: '$.deviceCertificate';
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<HelloResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HelloResponse.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<HelloResponse>,
  ): HelloResponse {
    return decodeMessage(buf, HelloResponse.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<HelloResponse>,
  ): Generator<
    | HelloResponseVersionFieldEvent
    | HelloResponseDisplayNameFieldEvent
    | HelloResponseIdentityKeyFieldEvent
    | HelloResponseDeviceCertificateFieldEvent
  > {
    return streamMessage(buf, HelloResponse.codec(), opts);
  }
}
