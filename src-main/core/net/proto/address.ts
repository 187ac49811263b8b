import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime';
import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';

export interface AddressRequest {
  version: number;
  records: Uint8Array<ArrayBuffer>[];
  lookup: string[];
  beaconKey?: Uint8Array<ArrayBuffer>;
}

export namespace AddressRequest {
  let _codec: Codec<AddressRequest>;

  export const codec = (): Codec<AddressRequest> => {
    if (_codec == null) {
      _codec = message<AddressRequest>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.version != null && obj.version !== 0) {
            w.uint32(8);
            w.uint32(obj.version);
          }

          if (obj.records != null && obj.records.length > 0) {
            for (const value of obj.records) {
              w.uint32(18);
              w.bytes(value);
            }
          }

          if (obj.lookup != null && obj.lookup.length > 0) {
            for (const value of obj.lookup) {
              w.uint32(26);
              w.string(value);
            }
          }

          if (obj.beaconKey != null) {
            w.uint32(34);
            w.bytes(obj.beaconKey);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            version: 0,
            records: [],
            lookup: [],
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
                if (opts.limits?.records != null && obj.records.length === opts.limits.records) {
                  throw new MaxLengthError('Decode error - repeated field "records" had too many elements');
                }

                obj.records.push(reader.bytes());
                break;
              }
              case 3: {
                if (opts.limits?.lookup != null && obj.lookup.length === opts.limits.lookup) {
                  throw new MaxLengthError('Decode error - repeated field "lookup" had too many elements');
                }

                obj.lookup.push(reader.string());
                break;
              }
              case 4: {
                obj.beaconKey = reader.bytes();
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
            records: 0,
            lookup: 0,
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
                if (opts.limits?.records != null && obj.records === opts.limits.records) {
                  throw new MaxLengthError(
                    'Streaming decode error - repeated field "records" had too many elements',
                  );
                }

                yield {
                  field: `${prefix}.records[]`,
                  index: obj.records,
                  value: reader.bytes(),
                };

                obj.records++;

                break;
              }
              case 3: {
                if (opts.limits?.lookup != null && obj.lookup === opts.limits.lookup) {
                  throw new MaxLengthError(
                    'Streaming decode error - repeated field "lookup" had too many elements',
                  );
                }

                yield {
                  field: `${prefix}.lookup[]`,
                  index: obj.lookup,
                  value: reader.string(),
                };

                obj.lookup++;

                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.beaconKey`,
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

  export interface AddressRequestVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface AddressRequestRecordsFieldEvent {
    field: '$.records[]';
    index: number;
    value: Uint8Array<ArrayBuffer>;
  }

  export interface AddressRequestLookupFieldEvent {
    field: '$.lookup[]';
    index: number;
    value: string;
  }

  export interface AddressRequestBeaconKeyFieldEvent {
    field: '$.beaconKey';
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<AddressRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AddressRequest.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<AddressRequest>,
  ): AddressRequest {
    return decodeMessage(buf, AddressRequest.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<AddressRequest>,
  ): Generator<
    | AddressRequestVersionFieldEvent
    | AddressRequestRecordsFieldEvent
    | AddressRequestLookupFieldEvent
    | AddressRequestBeaconKeyFieldEvent
  > {
    return streamMessage(buf, AddressRequest.codec(), opts);
  }
}

export interface AddressResponse {
  version: number;
  records: Uint8Array<ArrayBuffer>[];
  reachable: string[];
  beaconKey?: Uint8Array<ArrayBuffer>;
}

export namespace AddressResponse {
  let _codec: Codec<AddressResponse>;

  export const codec = (): Codec<AddressResponse> => {
    if (_codec == null) {
      _codec = message<AddressResponse>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.version != null && obj.version !== 0) {
            w.uint32(8);
            w.uint32(obj.version);
          }

          if (obj.records != null && obj.records.length > 0) {
            for (const value of obj.records) {
              w.uint32(18);
              w.bytes(value);
            }
          }

          if (obj.reachable != null && obj.reachable.length > 0) {
            for (const value of obj.reachable) {
              w.uint32(26);
              w.string(value);
            }
          }

          if (obj.beaconKey != null) {
            w.uint32(34);
            w.bytes(obj.beaconKey);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            version: 0,
            records: [],
            reachable: [],
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
                if (opts.limits?.records != null && obj.records.length === opts.limits.records) {
                  throw new MaxLengthError('Decode error - repeated field "records" had too many elements');
                }

                obj.records.push(reader.bytes());
                break;
              }
              case 3: {
                if (opts.limits?.reachable != null && obj.reachable.length === opts.limits.reachable) {
                  throw new MaxLengthError('Decode error - repeated field "reachable" had too many elements');
                }

                obj.reachable.push(reader.string());
                break;
              }
              case 4: {
                obj.beaconKey = reader.bytes();
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
            records: 0,
            reachable: 0,
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
                if (opts.limits?.records != null && obj.records === opts.limits.records) {
                  throw new MaxLengthError(
                    'Streaming decode error - repeated field "records" had too many elements',
                  );
                }

                yield {
                  field: `${prefix}.records[]`,
                  index: obj.records,
                  value: reader.bytes(),
                };

                obj.records++;

                break;
              }
              case 3: {
                if (opts.limits?.reachable != null && obj.reachable === opts.limits.reachable) {
                  throw new MaxLengthError(
                    'Streaming decode error - repeated field "reachable" had too many elements',
                  );
                }

                yield {
                  field: `${prefix}.reachable[]`,
                  index: obj.reachable,
                  value: reader.string(),
                };

                obj.reachable++;

                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.beaconKey`,
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

  export interface AddressResponseVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface AddressResponseRecordsFieldEvent {
    field: '$.records[]';
    index: number;
    value: Uint8Array<ArrayBuffer>;
  }

  export interface AddressResponseReachableFieldEvent {
    field: '$.reachable[]';
    index: number;
    value: string;
  }

  export interface AddressResponseBeaconKeyFieldEvent {
    field: '$.beaconKey';
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<AddressResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AddressResponse.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<AddressResponse>,
  ): AddressResponse {
    return decodeMessage(buf, AddressResponse.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<AddressResponse>,
  ): Generator<
    | AddressResponseVersionFieldEvent
    | AddressResponseRecordsFieldEvent
    | AddressResponseReachableFieldEvent
    | AddressResponseBeaconKeyFieldEvent
  > {
    return streamMessage(buf, AddressResponse.codec(), opts);
  }
}
