'use strict';
/**
 * Stands in for zstd-napi in the deployed bundle (serverless.yml custom.esbuild.alias).
 * zstd-napi is a native addon built on `npm install` for this machine's CPU; the Lambda
 * functions run on arm64 and bundle no .node file, so they use Node's own zstd
 * (node:zlib, Node >= 22.15; the nodejs22.x runtime has it). Only the part of
 * zstd-napi's API that core/snapshot/compression.ts calls is provided. Frames are
 * standard zstd, so either implementation reads what the other wrote
 * (test/deploy/zstd-napi-shim.test.ts).
 */
const zlib = require('node:zlib');

if (typeof zlib.zstdCompressSync !== 'function') {
  throw new Error(
    `zstd: expected node:zlib zstd support (Node >= 22.15), found Node ${process.version}. ` +
      'Deploy on the nodejs22.x (or newer) Lambda runtime.',
  );
}

const { ZSTD_c_compressionLevel, ZSTD_c_contentSizeFlag, ZSTD_c_checksumFlag } = zlib.constants;

class Compressor {
  #params = {};

  setParameters(parameters) {
    const params = { ...this.#params };
    if (parameters.compressionLevel !== undefined)
      params[ZSTD_c_compressionLevel] = parameters.compressionLevel;
    if (parameters.contentSizeFlag !== undefined)
      params[ZSTD_c_contentSizeFlag] = parameters.contentSizeFlag ? 1 : 0;
    if (parameters.checksumFlag !== undefined) params[ZSTD_c_checksumFlag] = parameters.checksumFlag ? 1 : 0;
    this.#params = params;
  }

  compress(payload) {
    return zlib.zstdCompressSync(payload, { params: this.#params });
  }
}

class Decompressor {
  decompress(stored) {
    return zlib.zstdDecompressSync(stored);
  }
}

module.exports = { Compressor, Decompressor };
