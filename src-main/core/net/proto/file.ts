import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime';
import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';

export interface FileRequest {
  version: number;
  fileId?: Uint8Array<ArrayBuffer>;
  firstIndex: number;
  count: number;
}

export namespace FileRequest {
  let _codec: Codec<FileRequest>;

  export const codec = (): Codec<FileRequest> => {
    if (_codec == null) {
      _codec = message<FileRequest>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.version != null && obj.version !== 0) {
            w.uint32(8);
            w.uint32(obj.version);
          }

          if (obj.fileId != null) {
            w.uint32(18);
            w.bytes(obj.fileId);
          }

          if (obj.firstIndex != null && obj.firstIndex !== 0) {
            w.uint32(24);
            w.uint32(obj.firstIndex);
          }

          if (obj.count != null && obj.count !== 0) {
            w.uint32(32);
            w.uint32(obj.count);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            version: 0,
            firstIndex: 0,
            count: 0,
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
                obj.fileId = reader.bytes();
                break;
              }
              case 3: {
                obj.firstIndex = reader.uint32();
                break;
              }
              case 4: {
                obj.count = reader.uint32();
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
                  field: `${prefix}.fileId`,
                  value: reader.bytes(),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.firstIndex`,
                  value: reader.uint32(),
                };
                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.count`,
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

  export interface FileRequestVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface FileRequestFileIdFieldEvent {
    field: '$.fileId';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface FileRequestFirstIndexFieldEvent {
    field: '$.firstIndex';
    value: number;
  }

  export interface FileRequestCountFieldEvent {
    field: '$.count';
    value: number;
  }

  export function encode(obj: Partial<FileRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileRequest.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileRequest>): FileRequest {
    return decodeMessage(buf, FileRequest.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<FileRequest>,
  ): Generator<
    | FileRequestVersionFieldEvent
    | FileRequestFileIdFieldEvent
    | FileRequestFirstIndexFieldEvent
    | FileRequestCountFieldEvent
  > {
    return streamMessage(buf, FileRequest.codec(), opts);
  }
}

export interface FileChunk {
  version: number;
  status: FileChunk.Status;
  index: number;
  data?: Uint8Array<ArrayBuffer>;
}

export namespace FileChunk {
  export enum Status {
    STATUS_UNSPECIFIED = 'STATUS_UNSPECIFIED',
    OK = 'OK',
    NOT_FOUND = 'NOT_FOUND',
    DENIED = 'DENIED',
    CANCELLED = 'CANCELLED',
    OUT_OF_RANGE = 'OUT_OF_RANGE',
  }

  enum __StatusValues {
    STATUS_UNSPECIFIED = 0,
    OK = 1,
    NOT_FOUND = 2,
    DENIED = 3,
    CANCELLED = 4,
    OUT_OF_RANGE = 5,
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues);
    };
  }

  let _codec: Codec<FileChunk>;

  export const codec = (): Codec<FileChunk> => {
    if (_codec == null) {
      _codec = message<FileChunk>(
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
            FileChunk.Status.codec().encode(obj.status, w);
          }

          if (obj.index != null && obj.index !== 0) {
            w.uint32(24);
            w.uint32(obj.index);
          }

          if (obj.data != null) {
            w.uint32(34);
            w.bytes(obj.data);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            version: 0,
            status: Status.STATUS_UNSPECIFIED,
            index: 0,
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
                obj.status = FileChunk.Status.codec().decode(reader);
                break;
              }
              case 3: {
                obj.index = reader.uint32();
                break;
              }
              case 4: {
                obj.data = reader.bytes();
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
                  value: FileChunk.Status.codec().decode(reader),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.index`,
                  value: reader.uint32(),
                };
                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.data`,
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

  export interface FileChunkVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface FileChunkStatusFieldEvent {
    field: '$.status';
    value: FileChunk.Status;
  }

  export interface FileChunkIndexFieldEvent {
    field: '$.index';
    value: number;
  }

  export interface FileChunkDataFieldEvent {
    field: '$.data';
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<FileChunk>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileChunk.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileChunk>): FileChunk {
    return decodeMessage(buf, FileChunk.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<FileChunk>,
  ): Generator<
    | FileChunkVersionFieldEvent
    | FileChunkStatusFieldEvent
    | FileChunkIndexFieldEvent
    | FileChunkDataFieldEvent
  > {
    return streamMessage(buf, FileChunk.codec(), opts);
  }
}
