import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime';
import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';

export interface ContactRequest {
  version: number;
  displayName: string;
  identityKey?: Uint8Array<ArrayBuffer>;
  inviteToken?: Uint8Array<ArrayBuffer>;
  message: string;
  deviceCertificate?: Uint8Array<ArrayBuffer>;
}

export namespace ContactRequest {
  let _codec: Codec<ContactRequest>;

  export const codec = (): Codec<ContactRequest> => {
    if (_codec == null) {
      _codec = message<ContactRequest>(
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

          if (obj.inviteToken != null) {
            w.uint32(34);
            w.bytes(obj.inviteToken);
          }

          if (obj.message != null && obj.message !== '') {
            w.uint32(42);
            w.string(obj.message);
          }

          if (obj.deviceCertificate != null) {
            w.uint32(50);
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
            message: '',
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
                obj.inviteToken = reader.bytes();
                break;
              }
              case 5: {
                obj.message = reader.string();
                break;
              }
              case 6: {
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
                  field: `${prefix}.inviteToken`,
                  value: reader.bytes(),
                };
                break;
              }
              case 5: {
                yield {
                  field: `${prefix}.message`,
                  value: reader.string(),
                };
                break;
              }
              case 6: {
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

  export interface ContactRequestVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface ContactRequestDisplayNameFieldEvent {
    field: '$.displayName';
    value: string;
  }

  export interface ContactRequestIdentityKeyFieldEvent {
    field: '$.identityKey';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface ContactRequestInviteTokenFieldEvent {
    field: '$.inviteToken';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface ContactRequestMessageFieldEvent {
    field: '$.message';
    value: string;
  }

  export interface ContactRequestDeviceCertificateFieldEvent {
    field: '$.deviceCertificate';
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<ContactRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ContactRequest.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<ContactRequest>,
  ): ContactRequest {
    return decodeMessage(buf, ContactRequest.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<ContactRequest>,
  ): Generator<
    | ContactRequestVersionFieldEvent
    | ContactRequestDisplayNameFieldEvent
    | ContactRequestIdentityKeyFieldEvent
    | ContactRequestInviteTokenFieldEvent
    | ContactRequestMessageFieldEvent
    | ContactRequestDeviceCertificateFieldEvent
  > {
    return streamMessage(buf, ContactRequest.codec(), opts);
  }
}

export interface ContactResponse {
  version: number;
  status: ContactResponse.Status;
  sealPublicKey?: Uint8Array<ArrayBuffer>;
  deviceCertificate?: Uint8Array<ArrayBuffer>;
}

export namespace ContactResponse {
  export enum Status {
    STATUS_UNSPECIFIED = 'STATUS_UNSPECIFIED',
    RECEIVED = 'RECEIVED',
    REJECTED = 'REJECTED',
  }

  enum __StatusValues {
    STATUS_UNSPECIFIED = 0,
    RECEIVED = 1,
    REJECTED = 2,
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues);
    };
  }

  let _codec: Codec<ContactResponse>;

  export const codec = (): Codec<ContactResponse> => {
    if (_codec == null) {
      _codec = message<ContactResponse>(
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
            ContactResponse.Status.codec().encode(obj.status, w);
          }

          if (obj.sealPublicKey != null) {
            w.uint32(26);
            w.bytes(obj.sealPublicKey);
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
                obj.status = ContactResponse.Status.codec().decode(reader);
                break;
              }
              case 3: {
                obj.sealPublicKey = reader.bytes();
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
                  field: `${prefix}.status`,
                  value: ContactResponse.Status.codec().decode(reader),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.sealPublicKey`,
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

  export interface ContactResponseVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface ContactResponseStatusFieldEvent {
    field: '$.status';
    value: ContactResponse.Status;
  }

  export interface ContactResponseSealPublicKeyFieldEvent {
    field: '$.sealPublicKey';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface ContactResponseDeviceCertificateFieldEvent {
    field: '$.deviceCertificate';
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<ContactResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ContactResponse.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<ContactResponse>,
  ): ContactResponse {
    return decodeMessage(buf, ContactResponse.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<ContactResponse>,
  ): Generator<
    | ContactResponseVersionFieldEvent
    | ContactResponseStatusFieldEvent
    | ContactResponseSealPublicKeyFieldEvent
    | ContactResponseDeviceCertificateFieldEvent
  > {
    return streamMessage(buf, ContactResponse.codec(), opts);
  }
}
