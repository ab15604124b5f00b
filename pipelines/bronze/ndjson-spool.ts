import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';

const FLUSH_AT = 1 << 20;

/** Buffered NDJSON writer with back-pressure: the staging format DuckDB reads into Parquet. */
export class NdjsonSpool {
  private readonly stream: WriteStream;
  private buffer = '';
  count = 0;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path);
  }

  async write(line: string): Promise<void> {
    this.buffer += line;
    this.buffer += '\n';
    this.count += 1;
    if (this.buffer.length >= FLUSH_AT) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const ok = this.stream.write(this.buffer);
    this.buffer = '';
    if (!ok) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}
