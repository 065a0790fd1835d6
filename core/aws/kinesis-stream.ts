/** The Kinesis adapters behind the StreamReader and StreamWriter ports. */
export * from './kinesis-stream-reader.js';
export * from './kinesis-stream-writer.js';
