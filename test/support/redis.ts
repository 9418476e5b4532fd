import { randomBytes } from 'node:crypto';
import { createRedis } from '../../src/redis/connection.ts';
import { clearPrefix } from './hub.ts';

/** A Redis connection and a key prefix of a test file's own; `close` deletes its keys. */
export function testRedis() {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = createRedis(url);
  const prefix = `t_${randomBytes(4).toString('hex')}`;
  return {
    redis,
    prefix,
    async close() {
      redis.disconnect();
      await clearPrefix(url, prefix);
    },
  };
}
