/**
 * Token buckets: `capacity` requests at once, refilled continuously at
 * `refillPerSecond`. Used to rate-limit what unknown peers may do (contact
 * requests) and what drains finite resources (one-time key packages).
 */
export interface BucketConfig {
  capacity: number;
  refillPerSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly config: BucketConfig,
    now: number,
  ) {
    this.tokens = config.capacity;
    this.updatedAt = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.config.capacity, this.tokens + elapsed * this.config.refillPerSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** True when the bucket is full again, so forgetting it changes nothing. */
  isFull(now: number): boolean {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    return this.tokens + elapsed * this.config.refillPerSecond >= this.config.capacity;
  }
}

/**
 * One bucket per peer, plus an optional global bucket every request also has to
 * pass. Remembers at most `maxPeers` peers: when full, it forgets full buckets
 * first, then the least recently used. Forgetting hands a peer a fresh bucket,
 * which is why the global bucket exists: PeerIds are free to mint, so only the
 * global bucket bounds a flood from many identities.
 */
export class PeerRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly global: TokenBucket | undefined;

  constructor(
    private readonly perPeer: BucketConfig,
    global: BucketConfig | undefined,
    private readonly maxPeers: number,
    now: number,
  ) {
    this.global = global === undefined ? undefined : new TokenBucket(global, now);
  }

  take(peer: string, now: number): boolean {
    let bucket = this.buckets.get(peer);
    if (bucket === undefined) {
      this.makeRoom(now);
      bucket = new TokenBucket(this.perPeer, now);
    } else {
      this.buckets.delete(peer);
    }
    // Map order is insertion order: re-inserting keeps it least-recently-used first.
    this.buckets.set(peer, bucket);
    if (!bucket.take(now)) return false;
    return this.global === undefined || this.global.take(now);
  }

  get trackedPeers(): number {
    return this.buckets.size;
  }

  private makeRoom(now: number): void {
    if (this.buckets.size < this.maxPeers) return;
    for (const [peer, bucket] of this.buckets) {
      if (bucket.isFull(now)) this.buckets.delete(peer);
    }
    while (this.buckets.size >= this.maxPeers) {
      const oldest = this.buckets.keys().next();
      if (oldest.done === true) break;
      this.buckets.delete(oldest.value);
    }
  }
}
